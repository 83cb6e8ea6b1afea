#!/usr/bin/env bash
# `make demo`: rse doing its job on the embedded sandbox network, told as a short story.
# Everything lives in .rse-demo/ (config, data, the local Synapse): your own rse config is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
export RSE_CONFIG_DIR="$PWD/.rse-demo/config" RSE_DATA_DIR="$PWD/.rse-demo/data"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "1. A local Matrix network (Synapse on 127.0.0.1) and a champion account"
rse sandbox up
rse auth status

say "2. A believable company: people, leaders, communities and 90 days of history"
rse sandbox seed --seed 42 --people 300 --days 90

say "3. The communities the champion animates"
rse community list

say "4. Opening a new community for a project team, with its animator"
animator=$(python3 - <<'PY'
import csv, os
with open(os.path.join(os.environ["RSE_DATA_DIR"], "sandbox", "hr_export.csv"), encoding="utf-8-sig") as fh:
    rows = list(csv.DictReader(fh, delimiter=";"))
print(rows[5]["matrix_id"])
PY
)
if ! rse community show projet-horizon >/dev/null 2>&1; then
  rse community create "Projet Horizon" --alias projet-horizon --topic "Le nouveau CRM, ensemble" \
      --room Général --room Questions --animator "$animator"
fi
rse community show projet-horizon

say "5. Inviting the first members (a re-run changes nothing)"
members=$(python3 - <<'PY'
import csv, os
with open(os.path.join(os.environ["RSE_DATA_DIR"], "sandbox", "hr_export.csv"), encoding="utf-8-sig") as fh:
    rows = list(csv.DictReader(fh, delimiter=";"))
print(" ".join(r["matrix_id"] for r in rows[10:14]))
PY
)
# shellcheck disable=SC2086
rse member add projet-horizon $members

say "6. A first post, and a word to the animator (sent once, even if the demo runs again)"
rse post "projet-horizon/Général" --text "Bienvenue dans **Projet Horizon** ! Présentez-vous en une phrase : quel est votre rôle dans le projet ?"
rse dm "$animator" --text "Merci d'animer Projet Horizon ! Je t'ai nommé animateur ; dis-moi ce dont tu as besoin."

say "7. Community health: sync what happened, audit it, keep a report to forward"
rse sync >/dev/null
rse audit --html "$RSE_DATA_DIR/rapport-sante.html" || true
echo "HTML report: $RSE_DATA_DIR/rapport-sante.html"
rse audit history ventes-ouest
rse digest send -c ventes-ouest --period week --dry-run

say "8. Opening the communities of a business line from a manifest: plan, apply, re-apply"
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
topic = "L'entrepôt de Lyon : planning, sécurité, entraide"
avatar = "logistique-lyon.png"
rooms = ["Général", "Sécurité"]
animators = ["$animator"]
members_where = { department = "Logistique", site = "Lyon" }
welcome_post = "Bienvenue dans **Logistique Lyon** ! Une question sur le planning ? C'est ici."
TOML
rse onboard plan "$manifest"
rse onboard apply "$manifest" --yes
rse onboard apply "$manifest" --yes      # a re-run changes nothing
rse onboard status "$manifest"

say "9. Welcoming the newcomers of the last three weeks, nudging the silent ones, and the funnel"
since=$(date -d '-21 days' +%F 2>/dev/null || date -v-21d +%F)
rse campaign list --json | grep -q '"newcomers-demo"' || \
  rse campaign create newcomers-demo --people "$RSE_DATA_DIR/sandbox/hr_export.csv" --community accueil --started-since "$since"
rse campaign run
RSE_NOW=$(date -u -d '+3 days' +%FT%T+00:00 2>/dev/null || date -u -v+3d +%FT%T+00:00) rse campaign run   # day 3: nudges
rse campaign status newcomers-demo

say "10. A ritual: the Monday question, and a one-off now, published exactly once"
printf 'Quel outil vous fait gagner du temps ?\nQuelle réussite cette semaine ?\n' > "$RSE_DATA_DIR/questions.txt"
rse animate list --json | grep -q '"weekly-question"' || \
  rse animate add weekly-question --community ventes-ouest --room Général --every "MON 09:00" --tz Europe/Paris \
      --template weekly-question --bank "$RSE_DATA_DIR/questions.txt"
rse animate list --json | grep -q '"demo-now"' || \
  rse animate add demo-now --community ventes-ouest --room Général --at "$(date -u +%Y-%m-%dT%H:%M)" --tz UTC \
      --template weekly-question --bank "$RSE_DATA_DIR/questions.txt"
rse animate list --next 14d
rse animate run
rse animate run   # nothing twice

rse sync >/dev/null
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
if [ "$leader_pronoun" = elle ]; then possessive=her; else possessive=his; fi
say "11. A brief for the CEO, $leader_name, to answer in $possessive own words (rse never posts for them)"
rse leaders add "$leader" --name "$leader_name" --pronoun "$leader_pronoun" --scope accueil --scope ventes-ouest --scope veille --lang fr
rse leaders brief "$leader"

say "12. Everything rse wrote to the network"
rse journal --limit 12

say "Done"
cat <<EOF
What happened: a local Matrix server with a seeded company (300 people, 5 communities, 90 days);
a new community opened, people invited, a post and a DM sent once; health synced and audited;
Logistique Lyon opened from a manifest; newcomers welcomed and nudged; a Monday ritual scheduled;
a brief drafted for $leader_name. The journal above lists the last writes (rse journal: all of them).

The health report, to open in a browser or forward:
  $RSE_DATA_DIR/rapport-sante.html

To continue in this world (README, "A five-minute tour on the sandbox"):
  source .venv/bin/activate
  export RSE_CONFIG_DIR=$RSE_CONFIG_DIR RSE_DATA_DIR=$RSE_DATA_DIR
  rse doctor; rse audit data-ia; rse --lang en audit; rse leaders brief $leader
Stop the local server with: rse sandbox down (its data is kept; make demo again picks it up).
EOF
