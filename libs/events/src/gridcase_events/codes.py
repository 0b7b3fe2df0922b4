"""Codes as districts write them: department, category and staff codes.

A district brings its own codes (城管 as ``CG``, a police station as ``PCS``, the numeric
codes of CJ/T 214 such as ``0301``, categories as ``environment/garbage-overflow``), so
any printable code of reasonable length is taken and compared exactly: letters of
either case, digits and ``- _ . /``. Refused is only what would break a URL or a CSV
cell: spaces, commas, quotes and other punctuation, a part that does not start with a
letter or digit (``..`` and ``-x``: a path segment a client or proxy rewrites, a cell a
spreadsheet runs as a formula), and an empty part (``a//b``).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

DEPARTMENT_CODE_MAX = 32
CATEGORY_CODE_MAX = 64
STAFF_ID_MAX = 64
# Each "/"-separated part starts with a letter or a digit.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$"
_CODE = re.compile(CODE_PATTERN)
_ALLOWED = re.compile(r"[A-Za-z0-9._/-]")


def code_problem(code: str, *, longest: int) -> str | None:
    """Why `code` cannot be a code (a message for the row it came on), or None."""
    if not code:
        return "must not be empty"
    if len(code) > longest:
        return f"is {len(code)} characters long; at most {longest}"
    if _CODE.match(code):
        return None
    bad = sorted({ch for ch in code if not _ALLOWED.match(ch)})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        return f"holds {shown}, which would break a URL or a CSV: letters, digits and - _ . / only"
    return "each part between / must start with a letter or a digit"


def _checked(longest: int) -> AfterValidator:
    def check(code: str) -> str:
        problem = code_problem(code, longest=longest)
        if problem is not None:
            raise ValueError(f"code {code!r} {problem}")
        return code

    return AfterValidator(check)


DepartmentCode = Annotated[str, _checked(DEPARTMENT_CODE_MAX)]
CategoryCode = Annotated[str, _checked(CATEGORY_CODE_MAX)]
StaffId = Annotated[str, _checked(STAFF_ID_MAX)]
