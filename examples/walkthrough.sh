#!/usr/bin/env bash
# The whole path against a running `./plumber demo`: Alice logs in to the messenger core, opens a chat with Bob,
# sends an ordinary message, one with a card number and a file; then the auditor reads the gateway's verdicts.
# CORE and GATEWAY override the addresses.
set -euo pipefail
CORE=${CORE:-http://127.0.0.1:8080}
GATEWAY=${GATEWAY:-http://127.0.0.1:8081}

field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }
post() { curl -fsS -X POST "$1" -H 'Content-Type: application/json' "${@:3}" -d "$2"; }

token=$(post "$CORE/api/v1/login" '{"email":"alice@demo.local","password":"demo"}' | field token)
auth=(-H "Authorization: Bearer $token")
chat=$(post "$CORE/api/v1/chats" '{"type":"personal","members":["bob@demo.local"]}' "${auth[@]}" | field id)
echo "chat $chat"
echo "ordinary message: $(post "$CORE/api/v1/chats/$chat/messages" '{"text":"Lunch at noon?"}' "${auth[@]}")"
echo "card number:      $(post "$CORE/api/v1/chats/$chat/messages" '{"text":"My card: 4111 1111 1111 1111"}' "${auth[@]}")"

file=$(mktemp)
printf 'Quarterly report\nStrictly confidential.\n' >"$file"
upload=$(curl -fsS -X POST "$CORE/api/v1/files" "${auth[@]}" -F "file=@$file;filename=report.txt")
rm -f "$file"
hash=$(echo "$upload" | field hash)
echo "file:             $upload"
echo "message + file:   $(post "$CORE/api/v1/chats/$chat/messages" "{\"text\":\"see attached\",\"hash\":\"$hash\"}" "${auth[@]}")"

echo "waiting for the verdicts ..."
sleep 3
auditor=$(post "$GATEWAY/api/v1/login" '{"email":"auditor@demo.local","password":"demo"}' | field token)
curl -fsS "$GATEWAY/api/v1/requests?limit=10" -H "Authorization: Bearer $auditor" |
    sed 's/},{/},\n{/g'
echo
