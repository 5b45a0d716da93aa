"""Qualified electronic signatures (policy.md 3): verified with pyHanko, shown with a reason.

The PKI, the trusted lists and the signed PDFs are built in code
(tests/corpus/pki.py, trusted_lists.py, signed_pdfs.py). Nothing here
reaches beyond loopback.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kammerpost.inspection import SIGNATURE_VERDICT_TEXTS, Inspector, ParserPool, Verdict
from kammerpost.inspection import trust as trust_module
from kammerpost.inspection.pdf import check
from kammerpost.inspection.policy import Limits
from kammerpost.inspection.signature_texts import (
    SIGNATURE_REASON_TEXTS,
    SIGNATURE_VERDICT_ORDER,
    weakest,
)
from kammerpost.inspection.signatures import validate_file
from kammerpost.inspection.trust import TrustConfig, TrustStore, load_trust
from kammerpost.inspection.trust_cli import main as trust_main
from kammerpost.inspection.trust_cli import refresh
from tests.corpus import pdfs, pki, signed_pdfs, trusted_lists

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class TrustSetup:
    """Directories as an operator would configure them, filled with the test PKI."""

    base: Path

    @property
    def lists(self) -> Path:
        return self.base / "lists"

    @property
    def signers(self) -> Path:
        return self.base / "signers"

    @property
    def roots(self) -> Path:
        return self.base / "roots"

    @property
    def config(self) -> TrustConfig:
        return TrustConfig(self.lists, self.signers, self.roots)

    @property
    def env(self) -> dict[str, str]:
        return {
            "KAMMERPOST_TRUST_LISTS": str(self.lists),
            "KAMMERPOST_TRUST_LIST_SIGNERS": str(self.signers),
            "KAMMERPOST_TRUST_ROOTS": str(self.roots),
            "KAMMERPOST_TRUST_ONLINE": "false",
        }


def _setup(base: Path, *, lists: dict[str, bytes], signers: list[pki.Identity]) -> TrustSetup:
    setup = TrustSetup(base)
    for directory in (setup.lists, setup.signers, setup.roots):
        directory.mkdir(parents=True)
    for name, data in lists.items():
        (setup.lists / name).write_bytes(data)
    for index, signer in enumerate(signers):
        (setup.signers / f"signer-{index}.pem").write_bytes(signer.pem)
    (setup.roots / "advanced-root.pem").write_bytes(pki.test_pki().advanced_root.pem)
    return setup


@pytest.fixture(scope="session")
def trust_setup(tmp_path_factory: pytest.TempPathFactory) -> TrustSetup:
    """One national test list signed by the test scheme operator, plus the advanced root."""
    keys = pki.test_pki()
    return _setup(
        tmp_path_factory.mktemp("trust"),
        lists={"zz.xml": trusted_lists.trusted_list(keys)},
        signers=[keys.scheme_operator],
    )


@pytest.fixture(scope="session")
def store(trust_setup: TrustSetup) -> TrustStore:
    return load_trust(trust_setup.config)


@pytest.fixture
def trust_env(trust_setup: TrustSetup, monkeypatch: pytest.MonkeyPatch) -> TrustSetup:
    """The test trust as the engine reads it: from the environment."""
    for key, value in trust_setup.env.items():
        monkeypatch.setenv(key, value)
    return trust_setup


@pytest.fixture
def judge(tmp_path: Path, store: TrustStore) -> Callable[[bytes], list[dict[str, Any]]]:
    """Write the bytes to a file and validate its signatures against the test trust."""

    def run(data: bytes) -> list[dict[str, Any]]:
        path = tmp_path / "signiert.pdf"
        path.write_bytes(data)
        return validate_file(path, store)

    return run


def _only(results: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(results) == 1
    return results[0]


# --- the eight categories ----------------------------------------------------------


def test_qualified_certificate_with_qscd_gives_a_qualified_signature(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.qes()))
    assert result["verdict"] == "qes"
    assert result["reason"] == "qualified_signature"
    assert result["signer"] == "Erika Mustermann"
    assert result["issuer"] == "Test Qualified CA"
    assert result["field"] == "Signatur1"
    assert result["covers_whole_document"] is True
    assert result["qualified_certificate"] is True
    assert result["qscd"] is True
    assert result["trusted_list_service"] == "Test Qualified CA"
    assert result["signing_time"] is not None
    assert result["timestamp"] is None
    assert result["validation"] == "basic"


def test_qualified_signature_with_timestamp_is_qes_and_carries_the_timestamp(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.qes_with_timestamp()))
    assert result["verdict"] == "qes"
    assert result["timestamp"] is not None
    assert result["timestamp"].startswith(pki.NOW.date().isoformat()[:4])
    assert result["timestamp_valid"] is True
    assert result["timestamp_qualified"] is True
    assert result["validation"] == "with_time"


def test_long_term_signature_with_document_timestamp_is_qes(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.qes_long_term()))  # the document timestamp is not listed
    assert result["verdict"] == "qes"
    assert result["timestamp_valid"] is True
    assert result["changes_after_signing"] == "lta_updates"
    assert result["covers_whole_document"] is True


def test_signature_under_a_configured_root_without_qc_statements_is_advanced_only(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.advanced()))
    assert result["verdict"] == "ades"
    assert result["reason"] == "local_trust_anchor"
    assert result["qualified_certificate"] is False


def test_qualified_eseal_certificate_gives_a_qualified_seal(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.eseal()))
    assert result["verdict"] == "qeseal"
    assert result["certificate_type"] == "eseal"
    assert result["signer"] == "Tischlerei Beispiel GmbH"


def test_qualified_certificate_without_qscd_is_advanced_with_qualified_certificate(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.qc_without_qscd()))
    assert result["verdict"] == "adesqc"
    assert result["reason"] == "qscd_not_confirmed"
    assert result["qscd"] is False


def test_signature_under_an_unknown_root_is_indeterminate_for_the_untrusted_chain(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.unknown_root()))
    assert result["verdict"] == "indeterminate"
    assert result["reason"] == "untrusted_chain"
    assert "vertrauenswürdigen" in result["reason_de"]


def test_revoked_certificate_without_a_timestamp_is_indeterminate_not_invalid(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    # The signing time in the file is the signer's own claim: it proves nothing
    # (EN 319 102-1: INDETERMINATE / REVOKED_NO_POE).
    result = _only(judge(signed_pdfs.revoked()))
    assert result["verdict"] == "indeterminate"
    assert result["reason"] == "revoked_no_proof"
    assert result["revocation_time"] == (pki.NOW - dt.timedelta(days=1)).isoformat()
    assert result["signing_time"] is not None
    assert result["timestamp"] is None
    assert result["reason_de"].startswith("Das Zertifikat wurde gesperrt; es gibt keinen Nachweis")
    assert result["reason_en"].startswith("The certificate was revoked; nothing (no timestamp)")


def test_certificate_revoked_in_a_crl_without_a_timestamp_is_indeterminate(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.revoked_in_crl_without_timestamp()))
    assert (result["verdict"], result["reason"]) == ("indeterminate", "revoked_no_proof")


@pytest.mark.parametrize(
    "case", ["revoked_timestamped_after_revocation", "revoked_in_crl_before_timestamp"]
)
def test_timestamp_after_the_revocation_leaves_the_signature_indeterminate(
    case: str, judge: Callable[[bytes], list[dict[str, Any]]]
) -> None:
    result = _only(judge(getattr(signed_pdfs, case)()))
    assert result["verdict"] == "indeterminate"
    assert result["reason"] == "revoked_before_timestamp"
    # The timestamp holds and is reported: it is what shows the revocation came first.
    assert result["timestamp_valid"] is True
    assert result["revocation_time"] == (pki.NOW - dt.timedelta(days=1)).isoformat()
    assert result["revocation_time"] < result["timestamp"]
    assert result["timestamp"] > (pki.NOW - dt.timedelta(days=1)).isoformat()
    assert "gesperrt, bevor der Zeitstempel" in result["reason_de"]
    assert "revoked before the timestamp" in result["reason_en"]


def test_content_timestamp_after_the_revocation_makes_the_signature_invalid(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    # The signature covers a timestamp made after the revocation: it was provably
    # made with a revoked certificate (EN 319 102-1: FAILED / REVOKED).
    result = _only(judge(signed_pdfs.revoked_with_content_timestamp_after_revocation()))
    assert (result["verdict"], result["reason"]) == ("invalid", "revoked_before_signing")
    assert "Zeitstempel des Inhalts" in result["reason_de"]


def test_certificate_revoked_in_a_crl_after_the_timestamp_still_gives_a_qes(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.revoked_in_crl_after_timestamp()))
    assert (result["verdict"], result["reason"]) == ("qes", "qualified_signature")
    assert result["timestamp"] < (pki.NOW - dt.timedelta(days=5)).isoformat()


def test_revocation_status_nobody_can_tell_offline_is_indeterminate(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.revocation_unknown()))
    assert result["verdict"] == "indeterminate"
    assert result["reason"] == "revocation_unknown"


def test_revocation_answer_in_a_later_dss_update_settles_the_status(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.good_status_in_dss()))
    assert result["verdict"] == "qes"
    assert result["changes_after_signing"] == "lta_updates"
    assert result["covers_whole_document"] is True


def test_revocation_answer_issued_after_the_timestamp_counts_however_old(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.old_long_term_good()))
    assert result["verdict"] == "qes"
    assert result["timestamp_valid"] is True


def test_certificate_revoked_after_the_timestamp_still_gives_a_valid_signature(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.revoked_after_timestamp()))
    assert result["verdict"] == "qes"
    assert result["timestamp"] < (pki.NOW - dt.timedelta(days=5)).isoformat()


def test_untrusted_timestamp_cannot_backdate_a_signature(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.backdated_by_an_untrusted_tsa()))
    assert result["verdict"] == "indeterminate"
    assert result["reason"] == "revocation_unknown"
    assert result["timestamp"] is None
    assert result["timestamp_valid"] is False


# --- PAdES-B-LT as German QTSPs deliver it --------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "lt_ocsp",  # OCSP answers fetched after signing, in a /DSS update without /VRI
        "lt_ocsp_signed_by_the_ca",  # no delegated responder: the CA answers itself
        "lt_crl",  # the CA's CRL only, published before signing (the CA is the trust anchor)
        "lt_ocsp_and_crl_with_vri",  # pyHanko's add_validation_info: both, with /VRI
        "lt_embedded_while_signing",  # pyHanko's embed_validation_info while signing
        "lt_old_ocsp",  # ten days old: answers current then, stale today
        "lt_old_crl",
        "lt_tsu_under_listed_tsa_ca",  # the list names the TSU's CA, whose CRL is in the /DSS
        "lt_data_only_in_vri",  # data listed only under /VRI, broken items in the /DSS arrays
    ],
)
def test_long_term_signature_with_revocation_data_in_the_dss_is_qes_with_its_timestamp(
    case: str, judge: Callable[[bytes], list[dict[str, Any]]]
) -> None:
    result = _only(judge(getattr(signed_pdfs, case)()))
    assert (result["verdict"], result["reason"]) == ("qes", "qualified_signature")
    assert result["validation"] == "with_time"
    assert result["timestamp"] is not None
    assert result["timestamp_valid"] is True
    assert result["timestamp_qualified"] is True
    assert result["changes_after_signing"] == "lta_updates"
    assert result["covers_whole_document"] is True
    assert result["trusted_list_service"] == "Test Qualified CA"


@pytest.mark.parametrize(
    ("before", "verdict"),
    [(dt.timedelta(minutes=10), "qes"), (dt.timedelta(hours=2), "indeterminate")],
)
def test_ocsp_answer_without_next_update_counts_for_half_an_hour_before_the_timestamp(
    before: dt.timedelta, verdict: str, judge: Callable[[bytes], list[dict[str, Any]]]
) -> None:
    result = _only(judge(signed_pdfs.lt_open_ended_ocsp(before)))
    assert result["verdict"] == verdict
    if verdict == "indeterminate":
        assert result["reason"] == "revocation_unknown"


def test_long_term_signature_reports_the_timestamp_time_not_the_validation_time(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.lt_old_crl()))
    assert result["timestamp"].startswith((pki.NOW - dt.timedelta(days=10)).date().isoformat())


def test_tsu_listed_by_its_own_certificate_needs_no_revocation_data(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.lt_without_tsu_status()))
    assert result["verdict"] == "qes"
    assert result["timestamp_valid"] is True


def test_timestamp_whose_tsu_status_is_unknown_is_not_used(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    # The signer's own status is current, so the signature stands; the timestamp,
    # whose TSU could have been revoked, proves nothing and is not reported.
    result = _only(judge(signed_pdfs.lt_tsu_under_listed_tsa_ca_without_its_crl()))
    assert result["verdict"] == "qes"
    assert result["validation"] == "basic"
    assert result["timestamp"] is None
    assert result["timestamp_valid"] is False


def test_timestamp_of_a_tsu_revoked_since_proves_nothing(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    # Whoever holds a compromised TSU key can stamp any time, so a later
    # revocation of the TSU voids the timestamp; the signature is judged today.
    result = _only(judge(signed_pdfs.lt_tsu_revoked_since()))
    assert result["verdict"] == "qes"
    assert result["validation"] == "basic"
    assert result["timestamp"] is None
    assert result["timestamp_valid"] is False


def test_long_term_signature_with_the_tsu_crl_but_no_signer_data_is_indeterminate(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    pki_ = pki.test_pki()
    data = signed_pdfs.add_dss(
        signed_pdfs.sign(
            signed_pdfs.document(),
            pki_.lt_signer,
            [pki_.qualified_ca],
            timestamp=True,
            tsa=pki_.tsa_under_tsa_ca,
        ),
        crls=[pki.crl(issuer=pki_.tsa_ca)],
    )
    result = _only(judge(data))
    assert (result["verdict"], result["reason"]) == ("indeterminate", "revocation_unknown")


def test_crl_of_another_issuer_does_not_settle_the_status(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    # A CRL signed with the right name but the wrong key proves nothing.
    keys = pki.test_pki()
    impostor = pki.issue("Test Qualified CA", keys.unknown_root, ca=True, organization="Test QTSP")
    signed = signed_pdfs.sign(signed_pdfs.document(), keys.lt_signer, [keys.qualified_ca])
    result = _only(judge(signed_pdfs.add_dss(signed, crls=[pki.crl(issuer=impostor)])))
    assert (result["verdict"], result["reason"]) == ("indeterminate", "revocation_unknown")


def test_bytes_changed_after_signing_make_the_signature_invalid(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.tampered()))
    assert result["verdict"] == "invalid"
    assert result["reason"] == "hash_mismatch"


def test_page_added_by_an_incremental_update_after_signing_is_modified(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.page_added()))
    assert result["verdict"] == "modified"
    assert result["reason"] == "changed_after_signing"
    assert result["covers_whole_document"] is False


def test_form_field_changed_after_signing_is_modified(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    result = _only(judge(signed_pdfs.field_filled_after_signing()))
    assert result["verdict"] == "modified"
    assert result["reason"] == "fields_changed_after_signing"
    assert result["changes_after_signing"] == "form_filling"


def test_countersignature_leaves_the_first_signature_whole(
    judge: Callable[[bytes], list[dict[str, Any]]],
) -> None:
    first, second = judge(signed_pdfs.countersigned())
    assert (first["verdict"], second["verdict"]) == ("qes", "qeseal")
    assert first["covers_whole_document"] is True
    assert first["coverage"] == "entire_revision"
    assert second["coverage"] == "entire_file"


@pytest.mark.usefixtures("trust_env")
def test_two_signatures_with_the_second_broken_give_an_invalid_summary(tmp_path: Path) -> None:
    path = tmp_path / "zweifach.pdf"
    path.write_bytes(signed_pdfs.second_broken())
    findings = check(str(path), Limits())
    verdicts = [s["verdict"] for s in findings.facts["signatures"]]  # type: ignore[index,union-attr]
    assert verdicts == ["qes", "invalid"]
    assert findings.facts["signature_summary"] == "invalid"


def test_unsigned_pdf_has_no_signatures(tmp_path: Path) -> None:
    path = tmp_path / "brief.pdf"
    path.write_bytes(signed_pdfs.document())
    findings = check(str(path), Limits())
    assert findings.facts["signatures"] == []
    assert findings.facts["signature_summary"] == "none"


def test_trusted_roots_never_make_a_signature_qualified(tmp_path: Path) -> None:
    keys = pki.test_pki()
    setup = _setup(tmp_path, lists={}, signers=[keys.scheme_operator])
    (setup.roots / "qtsp-root.pem").write_bytes(keys.qtsp_root.pem)
    path = tmp_path / "qes.pdf"
    path.write_bytes(signed_pdfs.qes())
    result = _only(validate_file(path, load_trust(setup.config)))
    assert result["verdict"] == "ades"
    assert result["reason"] == "local_trust_anchor"


# --- the PDF rules stay as they were ------------------------------------------------


@pytest.mark.usefixtures("trust_env")
def test_signed_pdf_is_accepted_without_tripping_the_active_content_rules(
    tmp_path: Path,
) -> None:
    path = tmp_path / "qes.pdf"
    path.write_bytes(signed_pdfs.qes_with_timestamp())
    findings = check(str(path), Limits())
    assert findings.codes() == []
    assert findings.facts["signed"] is True
    assert findings.facts["signature_summary"] == "qes"


def test_signature_dictionary_with_a_dummy_value_is_indeterminate_not_rejected(
    tmp_path: Path,
) -> None:
    path = tmp_path / "antrag-signiert.pdf"
    path.write_bytes(pdfs.signature_field())
    findings = check(str(path), Limits())
    assert findings.codes() == []
    assert findings.facts["signature_summary"] == "indeterminate"


def _signature_contents_span(data: bytes) -> tuple[int, int]:
    start = data.index(b"/Contents <") + len(b"/Contents <")
    return start, data.index(b">", start)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_hostile_signature_bytes_never_raise(
    data: st.DataObject, judge: Callable[[bytes], list[dict[str, Any]]]
) -> None:
    original = signed_pdfs.qes_with_timestamp()
    start, end = _signature_contents_span(original)
    mutant = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(start, end - 1))
        mutant[pos] = data.draw(st.sampled_from(b"0123456789abcdef"))
    results = judge(bytes(mutant))
    assert len(results) == 1
    assert results[0]["verdict"] in SIGNATURE_VERDICT_ORDER
    assert results[0]["reason"] in SIGNATURE_REASON_TEXTS


# --- texts and summary ----------------------------------------------------------------


def test_verdict_texts_name_all_eight_categories_in_german_and_english() -> None:
    assert set(SIGNATURE_VERDICT_TEXTS) == {*SIGNATURE_VERDICT_ORDER, "none"}
    assert SIGNATURE_VERDICT_TEXTS["qes"][0] == "qualifizierte elektronische Signatur gültig (QES)"
    assert SIGNATURE_VERDICT_TEXTS["none"] == ("keine Signatur", "no signature")
    assert all(de and en and de != en for de, en in SIGNATURE_REASON_TEXTS.values())


def test_summary_is_the_weakest_verdict_and_none_without_signatures() -> None:
    assert weakest(["qes", "qeseal"]) == "qeseal"
    assert weakest(["qes", "modified", "indeterminate"]) == "modified"
    assert weakest(["ades", "invalid", "modified"]) == "invalid"
    assert weakest([]) == "none"


def test_signature_results_are_plain_json(judge: Callable[[bytes], list[dict[str, Any]]]) -> None:
    results = judge(signed_pdfs.countersigned())
    assert json.loads(json.dumps(results)) == results
    for result in results:
        assert {"verdict", "reason", "reason_de", "reason_en", "signer"} <= set(result)
        assert {"signing_time", "timestamp", "covers_whole_document"} <= set(result)


# --- trusted lists ------------------------------------------------------------------


def test_trusted_list_signed_by_the_configured_operator_is_loaded(store: TrustStore) -> None:
    (status,) = store.lists
    assert status.verified is True
    assert status.refused is None
    assert (status.territory, status.sequence, status.kind) == ("ZZ", 7, "national")
    assert status.qualified_services == 4  # the CA and three time-stamping services
    assert status.next_update is not None


def test_trusted_list_with_a_broken_signature_is_refused_and_status_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = pki.test_pki()
    forged = trusted_lists.trusted_list(keys).replace(
        b"Test QTSP Time-Stamping Unit", b"Evil TSA Time-Stamp Unit"
    )
    setup = _setup(tmp_path, lists={"zz.xml": forged}, signers=[keys.scheme_operator])
    (status,) = load_trust(setup.config).lists
    assert status.verified is False
    assert status.refused is not None
    assert "signature does not verify" in status.refused
    path = tmp_path / "qes.pdf"
    path.write_bytes(signed_pdfs.qes())
    result = _only(validate_file(path, load_trust(setup.config)))
    assert result["verdict"] == "indeterminate"

    for key, value in setup.env.items():
        monkeypatch.setenv(key, value)
    assert trust_main(["status"]) == 1
    out = capsys.readouterr().out
    assert "zz.xml" in out
    assert "ABGELEHNT / REFUSED: signature does not verify" in out


def test_trusted_list_signed_by_someone_else_is_refused(tmp_path: Path) -> None:
    keys = pki.test_pki()
    foreign = trusted_lists.trusted_list(keys, signer=keys.unknown_root)
    setup = _setup(tmp_path, lists={"zz.xml": foreign}, signers=[keys.scheme_operator])
    (status,) = load_trust(setup.config).lists
    assert status.refused is not None
    assert not status.verified


def test_list_of_the_lists_hands_trust_to_the_national_list_signer(tmp_path: Path) -> None:
    keys = pki.test_pki()
    lotl = trusted_lists.list_of_lists(
        keys, [("ZZ", "https://example.invalid/zz.xml", keys.scheme_operator)]
    )
    setup = _setup(
        tmp_path,
        lists={"eu-lotl.xml": lotl, "zz.xml": trusted_lists.trusted_list(keys)},
        signers=[keys.lotl_operator],  # only the LOTL signer is configured
    )
    store = load_trust(setup.config)
    assert [(s.file, s.kind, s.verified) for s in store.lists] == [
        ("eu-lotl.xml", "lotl", True),
        ("zz.xml", "national", True),
    ]
    path = tmp_path / "qes.pdf"
    path.write_bytes(signed_pdfs.qes())
    assert _only(validate_file(path, store))["verdict"] == "qes"


@pytest.mark.usefixtures("trust_env")
def test_trust_status_lists_territory_sequence_dates_and_services(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert trust_main(["status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    (entry,) = status["lists"]
    assert entry["territory"] == "ZZ"
    assert entry["sequence"] == 7
    assert entry["verified"] is True
    assert entry["qualified_services"] == 4
    assert entry["issued"] is not None
    assert entry["next_update"] is not None
    assert status["snapshot"]["fetched_at"] is not None
    assert status["extra_roots"] == 1


def test_trust_store_is_cached_and_reloaded_when_a_list_changes(tmp_path: Path) -> None:
    keys = pki.test_pki()
    setup = _setup(
        tmp_path, lists={"zz.xml": trusted_lists.trusted_list(keys)}, signers=[keys.scheme_operator]
    )
    first = trust_module.trust_store(setup.config)
    assert trust_module.trust_store(setup.config) is first
    (setup.lists / "zz.xml").write_bytes(trusted_lists.trusted_list(keys, sequence=8))
    reloaded = trust_module.trust_store(setup.config)
    assert reloaded is not first
    assert reloaded.lists[0].sequence == 8


def test_worker_verifies_only_the_lists_a_signature_reaches(tmp_path: Path) -> None:
    keys = pki.test_pki()
    other = trusted_lists.trusted_list(
        keys, territory="YY", ca=keys.unknown_root, tsa=keys.advanced_root
    )
    setup = _setup(
        tmp_path,
        lists={"yy.xml": other, "zz.xml": trusted_lists.trusted_list(keys)},
        signers=[keys.scheme_operator],
    )
    store = trust_module.trust_store(setup.config)
    assert [s.loaded for s in store.lists] == [False, False]
    path = tmp_path / "qes.pdf"
    path.write_bytes(signed_pdfs.qes())
    assert _only(validate_file(path, store))["verdict"] == "qes"
    assert [(s.file, s.loaded, s.verified) for s in store.lists] == [
        ("yy.xml", False, False),
        ("zz.xml", True, True),
    ]


# --- refresh -----------------------------------------------------------------------


def test_trust_refresh_without_network_fails_with_a_clear_message(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KAMMERPOST_VAR_DIR": str(tmp_path),
        "KAMMERPOST_TRUST_LOTL_URL": "http://127.0.0.1:9/eu-lotl.xml",
    }
    done = subprocess.run(
        [str(VENV_BIN / "kammerpost"), "trust", "refresh"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "cannot fetch the EU list of the lists" in done.stderr
    assert "127.0.0.1:9" in done.stderr
    assert not list((tmp_path / "trust" / "lists").glob("*.xml"))


class _ListServer(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.files.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def list_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """An HTTP server on loopback that serves whatever the test puts in its dict."""
    files: dict[str, bytes] = {}
    handler = type("Handler", (_ListServer,), {"files": files})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", files
    server.shutdown()
    server.server_close()


def test_trust_refresh_keeps_a_dated_snapshot_of_verified_lists(
    tmp_path: Path, list_server: tuple[str, dict[str, bytes]]
) -> None:
    url, files = list_server
    keys = pki.test_pki()
    files["/zz.xml"] = trusted_lists.trusted_list(keys)
    files["/yy.xml"] = trusted_lists.trusted_list(keys, territory="YY", signer=keys.unknown_root)
    files["/lotl.xml"] = trusted_lists.list_of_lists(
        keys,
        [
            ("ZZ", f"{url}/zz.xml", keys.scheme_operator),
            ("YY", f"{url}/yy.xml", keys.scheme_operator),
        ],
    )
    setup = _setup(tmp_path / "trust", lists={}, signers=[keys.lotl_operator])
    out = io.StringIO()
    status = refresh(setup.config, url=f"{url}/lotl.xml", out=out)
    assert status == 1  # YY's list is not signed by the operator the LOTL names
    assert "✗ YY" in out.getvalue()
    assert sorted(p.name for p in setup.lists.glob("*.xml")) == ["eu-lotl.xml", "zz.xml"]
    (snapshot,) = (setup.lists / "snapshots").iterdir()
    assert (snapshot / "zz.xml").read_bytes() == files["/zz.xml"]
    loaded = load_trust(setup.config)
    assert [s.refused for s in loaded.lists] == [None, None]
    assert json.loads((setup.lists / "snapshot.json").read_text())["fetched_at"]


# --- the whole engine and the command line -------------------------------------------


@pytest.mark.usefixtures("trust_env")  # the worker process inherits the environment
def test_inspector_accepts_a_signed_pdf_and_carries_the_signatures_in_json(tmp_path: Path) -> None:
    path = tmp_path / "antrag-qes.pdf"
    path.write_bytes(signed_pdfs.qes_with_timestamp())
    pool = ParserPool(size=1)
    try:
        result = Inspector(scan=False, pool=pool).inspect(path)
    finally:
        pool.close()
    assert result.verdict == Verdict.ACCEPTED
    facts = json.loads(result.to_json())["facts"]
    assert facts["signature_summary"] == "qes"
    assert facts["signatures"][0]["verdict"] == "qes"
    assert facts["signatures"][0]["timestamp"] is not None


def test_cli_inspect_json_shows_the_signatures(tmp_path: Path, trust_setup: TrustSetup) -> None:
    path = tmp_path / "siegel.pdf"
    path.write_bytes(signed_pdfs.countersigned())
    done = subprocess.run(
        [str(VENV_BIN / "kammerpost"), "inspect", "--json", "--no-av", str(path)],
        env={**os.environ, **trust_setup.env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)["facts"]
    assert facts["signature_summary"] == "qeseal"
    assert [s["verdict"] for s in facts["signatures"]] == ["qes", "qeseal"]
    assert facts["signatures"][0]["reason_de"].startswith("Qualifiziertes Zertifikat")
