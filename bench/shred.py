"""Benchmark: what an erasure costs on PostgreSQL, with N supporters' data keys in the table.

After an erasure the bot rewrites the table of data keys (``VACUUM FULL data_keys``, see
bot/storage/sealing.py), so the destroyed key's bytes leave the table's file. The rewrite holds
the table's exclusive lock, so sign-ups and signatures wait for it meanwhile. Measured against,
in the same run: the erasure's own transaction (deleting one key row and committing), and a
plain ``VACUUM`` of the same table (which frees the space but leaves the bytes).

The database must be a throwaway one (the bot's migrations are applied to it, and N keys are
written). Prints one JSON line.

    python bench/shred.py --database postgresql://localhost/shred_bench --keys 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time

import asyncpg

from bot.storage.database import Database
from bot.storage.sealing import KEYS_TABLE, Sealer


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


async def main(url: str, n: int, repeat: int) -> dict[str, object]:
    database = await Database.open(url)  # migrated
    await database.close()
    sealer = Sealer(os.urandom(16).hex())
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f"TRUNCATE {KEYS_TABLE}")
        start = time.perf_counter()
        rows = [sealer.new_key(f"tg:{100_000_000 + i}") for i in range(n)]
        await conn.executemany(f"INSERT INTO {KEYS_TABLE}(holder, wrapped) VALUES ($1, $2)", rows)
        made = _ms(start)
        size = await conn.fetchval(f"SELECT pg_total_relation_size('{KEYS_TABLE}')")
        erase, rewrite, vacuum = [], [], []
        for i in range(repeat):
            start = time.perf_counter()
            async with conn.transaction():
                await conn.execute(f"DELETE FROM {KEYS_TABLE} WHERE holder = $1", rows[i][0])
            erase.append(_ms(start))
            start = time.perf_counter()
            await conn.execute(f"VACUUM {KEYS_TABLE}")
            vacuum.append(_ms(start))
            await conn.execute(f"DELETE FROM {KEYS_TABLE} WHERE holder = $1", rows[repeat + i][0])
            start = time.perf_counter()
            await conn.execute(f"VACUUM FULL {KEYS_TABLE}")  # what Database.vacuum runs after an erasure
            rewrite.append(_ms(start))
    finally:
        await conn.close()
    return {"keys": n, "table_bytes": size, "write_keys_ms": made, "cores": os.cpu_count(),
            "erase_transaction_ms": statistics.median(erase), "vacuum_ms": statistics.median(vacuum),
            "vacuum_full_ms": statistics.median(rewrite), "vacuum_full_runs_ms": rewrite,
            "vacuum_full_per_erase_transaction": round(statistics.median(rewrite) / statistics.median(erase), 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="postgresql://… of a throwaway database")
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.database, args.keys, args.repeat))))
