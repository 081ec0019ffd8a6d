"""Synthetic full-session PUBINFO extract scaled up from the real sample rows.

Every row is a real row from tests/files/pubinfo/mini with its bill id renumbered, so field
shapes, quoting and escapes are the legislature's own.
"""

from __future__ import annotations

import re
from pathlib import Path

from tracker.pubinfo.datfile import iter_rows

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "files" / "pubinfo" / "mini"


def _fmt(value: str | None, bare: bool) -> str:
    if value is None:
        return "NULL"
    if bare:
        return value
    return "`" + value.replace("\\", "\\\\").replace("`", "\\`").replace("\n", "\\n").replace("\t", "\\t") + "`"


def _write(path: Path, rows: list[list[str | None]], bare_cols: set[int]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write("\t".join(_fmt(v, i in bare_cols) for i, v in enumerate(r)) + "\n")


def build(out: Path, bills: int = 25_000, min_history: int = 80_000) -> dict[str, int]:
    """Write BILL_TBL, BILL_HISTORY_TBL, BILL_VERSION_TBL (no text) and authors for ``bills``."""
    out.mkdir(parents=True, exist_ok=True)
    bill_rows = [r for _, r in iter_rows(MINI / "BILL_TBL.dat")]
    hist_rows = [r for _, r in iter_rows(MINI / "BILL_HISTORY_TBL.dat")]
    ver_rows = [r for _, r in iter_rows(MINI / "BILL_VERSION_TBL.dat")]
    auth_rows = [r for _, r in iter_rows(MINI / "BILL_VERSION_AUTHORS_TBL.dat")]
    per_bill_hist = max(1, -(-min_history // bills))
    b_out, h_out, v_out, a_out = [], [], [], []
    hist_id = 200_000_000
    for i in range(bills):
        mtype = "AB" if i % 2 == 0 else "SB"
        num = i // 2 + 1
        bill_id = f"202520260{mtype}{num}"
        tmpl = bill_rows[i % len(bill_rows)]
        vid = f"20250{mtype}{num}99INT"
        b_out.append([bill_id, "20252026", "0", mtype, str(num), *tmpl[5:10], vid, *tmpl[11:]])
        v = ver_rows[i % len(ver_rows)]
        v_out.append([vid, bill_id, "99", v[3], "Introduced", *v[5:14], None, *v[15:]])
        a = auth_rows[i % len(auth_rows)]
        a_out.append([vid, *a[1:]])
        for k in range(per_bill_hist):
            h = hist_rows[(i * per_bill_hist + k) % len(hist_rows)]
            hist_id += 1
            h_out.append([bill_id, str(hist_id), h[2], re.sub(r"\s+$", "", h[3] or "x"), *h[4:6], str(k), *h[7:]])
    _write(out / "BILL_TBL.dat", b_out, {4, 13, 18})
    _write(out / "BILL_HISTORY_TBL.dat", h_out, {1, 2, 5, 6})
    _write(out / "BILL_VERSION_TBL.dat", v_out, {2, 3, 17})
    _write(out / "BILL_VERSION_AUTHORS_TBL.dat", a_out, {8})
    return {"bills": len(b_out), "history": len(h_out), "versions": len(v_out), "authors": len(a_out)}
