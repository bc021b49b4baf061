#!/usr/bin/env python3
"""embed-migrations.py — regenerates src/store/migrations_embedded.c from
src/store/migrations/NNN_name.sql (run after adding or editing a migration; then clang-format).
tests/unit/store/test_migrate.c fails when the embedded copy and the files differ."""
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
mdir = os.path.join(root, "src", "store", "migrations")
out = os.path.join(root, "src", "store", "migrations_embedded.c")

HEAD = """/* migrations_embedded.c — the text of src/store/migrations/NNN_name.sql compiled into the binary, in
 * order. The .sql files are the readable source; tests/unit/store/test_migrate.c fails when this copy
 * and the files differ: regenerate it with scripts/embed-migrations.py after editing a migration.
 * This file only holds data; migrate.c applies it. */
#include "store/migrate.h"

const struct store__migration store__migrations[] = {
"""
TAIL = """};

const int store__migrations_count = (int)(sizeof store__migrations / sizeof store__migrations[0]);
"""


def escape(line):
    return line.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")


def main():
    files = sorted(f for f in os.listdir(mdir) if re.match(r"^\d{3}_[a-z0-9_]+\.sql$", f))
    parts = [HEAD]
    for i, f in enumerate(files):
        num = int(f[:3])
        if num != i + 1:
            sys.exit(f"embed-migrations: {f}: expected number {i + 1:03d} (numbers must be contiguous)")
        name = f[:-4]
        with open(os.path.join(mdir, f), encoding="utf-8") as fh:
            text = fh.read()
        lines = text.splitlines(keepends=True)
        body = []
        for ln in lines:
            nl = ln.endswith("\n")
            core = ln[:-1] if nl else ln
            body.append('     "' + escape(core) + ("\\n" if nl else "") + '"')
        parts.append(f'    {{{num}, "{name}",\n' + "\n".join(body) + "},\n")
    parts.append(TAIL)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("".join(parts))


main()
