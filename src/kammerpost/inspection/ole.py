"""OLE/CFB containers: never accepted, but the sender's hint depends on what it is.

Password-protected DOCX/XLSX files are OLE containers holding an encrypted
package; legacy Word/Excel files and Windows installers are OLE too. Each
needs different advice, so we look at the stream names.
"""

from __future__ import annotations

from typing import Final

import olefile

from .policy import Limits
from .report import Findings

_ENCRYPTED_STREAMS: Final = frozenset({"encryptioninfo", "encryptedpackage"})
_LEGACY_OFFICE_STREAMS: Final = frozenset(
    {"worddocument", "workbook", "book", "powerpoint document", "visiodocument"}
)
_MSI_CLSID: Final = "000C1084-0000-0000-C000-000000000046"


def check(path: str, limits: Limits) -> Findings:
    """Name the kind of OLE container; every kind is refused."""
    findings = Findings()
    try:
        with olefile.OleFileIO(path) as ole:
            names = {entry[-1].lower() for entry in ole.listdir(streams=True, storages=True)}
            clsid = ole.root.clsid if ole.root is not None else ""
    except (OSError, ValueError, IndexError, TypeError):
        findings.add("format.unknown")
        return findings
    if names & _ENCRYPTED_STREAMS:
        findings.add("format.encrypted")
    elif clsid.upper() == _MSI_CLSID:
        findings.add("exe.msi")
    elif names & _LEGACY_OFFICE_STREAMS:
        findings.add("format.legacy_office")
    else:
        findings.add("format.unknown")
    findings.facts["ole_streams"] = sorted(names)[:50]
    return findings
