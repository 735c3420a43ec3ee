"""The script the doctor replaces: the same Graph requests per credential, nothing else.

Reads the active rows of the guide's table, then for each credential asks debug_token, and of
the WABA it names: the WABA with its phone numbers and subscribed apps nested (field expansion),
and the template (three requests, as the doctor's healthy run). ``--threads N`` checks N
credentials at once. Part of ``benchmarks/latency.py``; configured by the same variables as the
doctor.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg

BASE = os.environ["WHATSAPP_GRAPH_URL"] + "/v25.0/"
SQL = (
    "SELECT phone_number_id, access_token FROM crm.marketing_channel_credential"
    " WHERE canal_tipo = 'whatsapp' AND activo ORDER BY id"
)
PHONE = (
    "id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status,"
    "status,account_mode,platform_type,throughput,whatsapp_business_manager_messaging_limit,"
    "health_status,webhook_configuration"
)
WABA = (
    f"account_review_status,business_verification_status,phone_numbers{{{PHONE}}},"
    "subscribed_apps{whatsapp_business_api_data{id}}"
)


def check(client: httpx.Client, phone: str, token: str) -> bool:
    auth = {"Authorization": f"Bearer {token}"}
    info = client.get(BASE + "debug_token", params={"input_token": token}, headers=auth).json()
    scopes = info["data"].get("granular_scopes", [])
    waba = next(s["target_ids"][0] for s in scopes if s.get("target_ids"))
    node = client.get(BASE + waba, params={"fields": WABA}, headers=auth)
    template = client.get(
        BASE + waba + "/message_templates", params={"name": "hello_world"}, headers=auth
    )
    listed = [p["id"] for p in node.json().get("phone_numbers", {}).get("data", [])]
    return info["data"]["is_valid"] and phone in listed and template.status_code == 200


def main() -> None:
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        rows = conn.execute(SQL).fetchall()
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda row: check(client, *row), rows))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
