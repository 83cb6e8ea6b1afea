#!/usr/bin/env bash
# `make demo`: rse doing its job on the embedded sandbox network, told as a short story.
# Everything lives in .rse-demo/ (config, data, the local Synapse): your own rse config is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
export RSE_CONFIG_DIR="$PWD/.rse-demo/config" RSE_DATA_DIR="$PWD/.rse-demo/data"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# One language for the whole run, the one rse itself picks from RSE_LANG or the locale: the story, what
# rse prints and what it writes (digests, briefs, the demo's own posts) all speak it. The sandbox profile
# keeps it (step 1), so the README's tour that follows speaks it too.
lang=$(python3 -c 'import os; from rse_cli.i18n import choose; print(choose(None, os.environ.get("RSE_LANG")))')
export RSE_LANG="$lang"
in_lang() { if [ "$lang" = fr ]; then printf '%s' "$1"; else printf '%s' "$2"; fi; }

say "$(in_lang "1. Un réseau Matrix local (Synapse sur 127.0.0.1) et le compte du champion" "1. A local Matrix network (Synapse on 127.0.0.1) and a champion account")"
rse sandbox up
rse config set lang "$lang" >/dev/null 2>&1
rse auth status

say "$(in_lang "2. Une entreprise crédible : salariés, dirigeants, communautés et 90 jours d'historique" "2. A believable company: people, leaders, communities and 90 days of history")"
rse sandbox seed --seed 42 --people 300 --days 90

say "$(in_lang "3. Les communautés qu'anime le champion" "3. The communities the champion animates")"
rse community list

say "$(in_lang "4. Ouvrir une communauté pour une équipe projet, avec son animateur" "4. Opening a new community for a project team, with its animator")"
animator=$(python3 - <<'PY'
import csv, os
with open(os.path.join(os.environ["RSE_DATA_DIR"], "sandbox", "hr_export.csv"), encoding="utf-8-sig") as fh:
    rows = list(csv.DictReader(fh, delimiter=";"))
print(rows[5]["matrix_id"])
PY
)
if ! rse community show projet-horizon >/dev/null 2>&1; then
  rse community create "Projet Horizon" --alias projet-horizon --topic "$(in_lang "Le nouveau CRM, ensemble" "The new CRM, together")" \
      --room Général --room Questions --animator "$animator"
fi
rse community show projet-horizon

say "$(in_lang "5. Inviter les premiers membres (relancer la démo n'y change rien)" "5. Inviting the first members (a re-run changes nothing)")"
members=$(python3 - <<'PY'
import csv, os
with open(os.path.join(os.environ["RSE_DATA_DIR"], "sandbox", "hr_export.csv"), encoding="utf-8-sig") as fh:
    rows = list(csv.DictReader(fh, delimiter=";"))
print(" ".join(r["matrix_id"] for r in rows[10:14]))
PY
)
# shellcheck disable=SC2086
rse member add projet-horizon $members

say "$(in_lang "6. Un premier message, et un mot à l'animateur (envoyés une fois, même si la démo repasse)" "6. A first post, and a word to the animator (sent once, even if the demo runs again)")"
rse post "projet-horizon/Général" --text "$(in_lang "Bienvenue dans **Projet Horizon** ! Présentez-vous en une phrase : quel est votre rôle dans le projet ?" \
    "Welcome to **Projet Horizon**! Introduce yourself in one sentence: what is your role in the project?")"
rse dm "$animator" --text "$(in_lang "Merci d'animer Projet Horizon ! Je t'ai nommé animateur ; dis-moi ce dont tu as besoin." \
    "Thank you for animating Projet Horizon! I made you its animator; tell me what you need.")"

say "$(in_lang "7. La santé des communautés : synchroniser, auditer, garder un rapport à transmettre" "7. Community health: sync what happened, audit it, keep a report to forward")"
rse sync >/dev/null
report="$RSE_DATA_DIR/$(in_lang rapport-sante.html health-report.html)"
rse audit --html "$report" || true   # it says where it wrote the report; exit 8: a community needs attention
rse audit history ventes-ouest
rse digest send -c ventes-ouest --period week --dry-run

say "$(in_lang "8. Ouvrir les communautés d'un métier depuis un manifeste : plan, application, puis de nouveau" "8. Opening the communities of a business line from a manifest: plan, apply, re-apply")"
manifest="$RSE_DATA_DIR/communities.toml"
# the community's picture: a 64x64 PNG in the company's blue, uploaded once (a re-run recognises it)
python3 - "$RSE_DATA_DIR/logistique-lyon.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
rows = b"".join(b"\x00" + bytes((37, 99, 235)) * 64 for _ in range(64))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
cat > "$manifest" <<TOML
[people]
csv = "$RSE_DATA_DIR/sandbox/hr_export.csv"

[[community]]
name = "Logistique Lyon"
alias = "logistique-lyon"
topic = "$(in_lang "L'entrepôt de Lyon : planning, sécurité, entraide" "The Lyon warehouse: schedules, safety, mutual help")"
avatar = "logistique-lyon.png"
rooms = ["Général", "Sécurité"]
animators = ["$animator"]
members_where = { department = "Logistique", site = "Lyon" }
welcome_post = "$(in_lang "Bienvenue dans **Logistique Lyon** ! Une question sur le planning ? C'est ici." "Welcome to **Logistique Lyon**! A question about the schedule? Ask it here.")"
TOML
rse onboard plan "$manifest"
rse onboard apply "$manifest" --yes
rse onboard apply "$manifest" --yes      # a re-run changes nothing
rse onboard status "$manifest"

say "$(in_lang "9. Accueillir les arrivants des trois dernières semaines, relancer les silencieux trois jours plus tard (horloge avancée), et l'entonnoir" "9. Welcoming the newcomers of the last three weeks, nudging the silent ones three days later (clock moved on), and the funnel")"
since=$(date -d '-21 days' +%F 2>/dev/null || date -v-21d +%F)
rse campaign list --json | grep -q '"newcomers-demo"' || \
  rse campaign create newcomers-demo --people "$RSE_DATA_DIR/sandbox/hr_export.csv" --community accueil --started-since "$since"
rse campaign run
RSE_NOW=$(date -u -d '+3 days' +%FT%T+00:00 2>/dev/null || date -u -v+3d +%FT%T+00:00) rse campaign run   # day 3: nudges
rse campaign status newcomers-demo

say "$(in_lang "10. Un rituel : la question du lundi, et une question ponctuelle tout de suite, publiées une seule fois" "10. A ritual: the Monday question, and a one-off now, published exactly once")"
in_lang 'Quel outil vous fait gagner du temps ?
Quelle réussite cette semaine ?
' 'Which tool saves you time?
What went well this week?
' > "$RSE_DATA_DIR/questions.txt"
rse animate list --json | grep -q '"weekly-question"' || \
  rse animate add weekly-question --community ventes-ouest --room Général --every "MON 09:00" --tz Europe/Paris \
      --template weekly-question --bank "$RSE_DATA_DIR/questions.txt"
rse animate list --json | grep -q '"demo-now"' || \
  rse animate add demo-now --community ventes-ouest --room Général --at "$(date -u +%Y-%m-%dT%H:%M)" --tz UTC \
      --template weekly-question --bank "$RSE_DATA_DIR/questions.txt"
rse animate list --next 14d
rse animate run
rse animate run   # nothing twice

# the CEO from the HR export: their name and grammatical gender make the brief (and this story) read right
leader=$(rse config show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["leaders"][0])')
read -r leader_name leader_pronoun <<<"$(python3 - "$leader" <<'PY'
import csv, os, sys
with open(os.path.join(os.environ["RSE_DATA_DIR"], "sandbox", "hr_export.csv"), encoding="utf-8-sig") as fh:
    row = next(r for r in csv.DictReader(fh, delimiter=";") if r["matrix_id"] == sys.argv[1])
feminine = row["job_title"].split()[0].endswith(("rice", "ère", "euse", "ante", "ée"))
print(f'{row["first_name"]}_{row["last_name"]}'.replace(" ", "_"), "elle" if feminine else "il")
PY
)"
leader_name=${leader_name//_/ }
if [ "$leader_pronoun" = elle ]; then
  say "$(in_lang "11. Un brief pour la directrice générale, $leader_name : à elle de répondre avec ses mots (rse ne publie jamais à sa place)" \
      "11. A brief for the CEO, $leader_name, to answer in her own words (rse never posts for her)")"
else
  say "$(in_lang "11. Un brief pour le directeur général, $leader_name : à lui de répondre avec ses mots (rse ne publie jamais à sa place)" \
      "11. A brief for the CEO, $leader_name, to answer in his own words (rse never posts for him)")"
fi
rse sync >/dev/null   # what the steps above posted, so that the brief counts it
rse leaders add "$leader" --name "$leader_name" --pronoun "$leader_pronoun" --scope accueil --scope ventes-ouest --scope veille --lang "$lang"
rse leaders brief "$leader"

say "$(in_lang "12. Tout ce que rse a écrit sur le réseau" "12. Everything rse wrote to the network")"
rse journal --limit 12

say "$(in_lang "Terminé" "Done")"
if [ "$lang" = fr ]; then
cat <<EOF
Ce qui s'est passé : un serveur Matrix local et une entreprise fictive (300 personnes, 5 communautés,
90 jours) ; une communauté ouverte, des personnes invitées, un message et un message privé envoyés
une seule fois ; la santé synchronisée et auditée ; Logistique Lyon ouverte depuis un manifeste ;
les arrivants accueillis puis relancés ; un rituel du lundi programmé ; un brief préparé pour
$leader_name. Le journal ci-dessus montre les dernières écritures (rse journal : toutes).

Le rapport de santé, à ouvrir dans un navigateur ou à transmettre :
  $report

Pour continuer dans ce monde (README, « A five-minute tour on the sandbox ») :
  source .venv/bin/activate
  export RSE_CONFIG_DIR=$RSE_CONFIG_DIR RSE_DATA_DIR=$RSE_DATA_DIR
  rse doctor; rse audit data-ia; rse --lang en audit; rse leaders brief $leader
Pour arrêter le serveur local : rse sandbox down (ses données sont gardées ; make demo les reprend).
EOF
else
cat <<EOF
What happened: a local Matrix server with a seeded company (300 people, 5 communities, 90 days);
a new community opened, people invited, a post and a DM sent once; health synced and audited;
Logistique Lyon opened from a manifest; newcomers welcomed and nudged; a Monday ritual scheduled;
a brief drafted for $leader_name. The journal above lists the last writes (rse journal: all of them).

The health report, to open in a browser or forward:
  $report

To continue in this world (README, "A five-minute tour on the sandbox"):
  source .venv/bin/activate
  export RSE_CONFIG_DIR=$RSE_CONFIG_DIR RSE_DATA_DIR=$RSE_DATA_DIR
  rse doctor; rse audit data-ia; rse --lang fr audit; rse leaders brief $leader
Stop the local server with: rse sandbox down (its data is kept; make demo again picks it up).
EOF
fi
