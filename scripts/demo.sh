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

say "7. Everything rse wrote to the network"
rse journal --limit 12

say "Done. To explore: export RSE_CONFIG_DIR=$RSE_CONFIG_DIR RSE_DATA_DIR=$RSE_DATA_DIR; then try rse --help. Stop the sandbox with: rse sandbox down"
