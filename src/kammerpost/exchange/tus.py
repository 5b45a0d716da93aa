"""The tus 1.0 resumable upload protocol as a Django view layer, generic over a ``TusTarget``.

Core, creation, termination, expiration and checksum (sha256) of
https://tus.io/protocols/resumable-upload. The exchange's view resolves the
target from the guest's or clerk's session and hands over::

    return tus_dispatch(request, target=target, uploads=default_uploads(),
                        upload_id=upload_id, base_url=reverse(...collection...))

``base_url`` is the collection (POST creates there); an upload lives at
``<base_url><upload id>/``. The bytes go straight into the vault
(``kammerpost.vault.uploads``): each PATCH body is read from the request
stream in small pieces (never ``request.body``, never Django's upload
handlers, so no temporary file and flat memory) and sealed segment by segment.

Answers: 409 offset conflict, 460 checksum mismatch, 413 larger than the
target allows or than the upload has left, 404 unknown upload or another
target's, 410 expired, 412 unsupported Tus-Resumable, 415 wrong PATCH
Content-Type, 423 another request is writing (clients retry), 400 malformed.

CSRF: the endpoint is bound to the session like every other page, so every
POST, PATCH and DELETE needs the CSRF token in the ``X-CSRFToken`` header
(Django's CsrfViewMiddleware checks it; PATCH and DELETE bodies are never
parsed for it). The uploader script (``static/kammerpost/exchange-upload.js``)
reads the token from the form's hidden ``csrfmiddlewaretoken`` field and
passes it to tus-js-client as ``headers: {"X-CSRFToken": token}``; the
session cookie goes along by itself (same origin).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _

from kammerpost.operations import metrics
from kammerpost.providers import ServiceRegistry, find_service, registry
from kammerpost.vault import (
    BlobInfo,
    UploadBusyError,
    UploadChecksumError,
    UploadNotFoundError,
    UploadOffsetError,
    Uploads,
    UploadTooLargeError,
    Vault,
)

from .models import Upload

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration,checksum"
CHECKSUM_ALGORITHMS = "sha256"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
_UPLOAD_ID = re.compile(r"[0-9a-f]{32}")
_DIGITS = re.compile(r"[0-9]{1,19}")
_METADATA_KEY = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT = "text/plain; charset=utf-8"


class TusTarget(Protocol):
    """Where uploads go and who may continue them: one per exchange, implemented there."""

    @property
    def key(self) -> str:
        """A stable name of the target (e.g. ``"exchange:<id>"``), stored with each upload."""
        ...

    def max_size(self) -> int:
        """The largest upload the target takes now: remaining quota or policy limit (413 above).

        The remaining quota should leave out what unfinished uploads have
        announced (``uploads_reserved(self.key)``), or many creations could
        together promise more than the quota.
        """
        ...

    def upload_owned(self, upload_id: str) -> bool:
        """Whether this target may see ``upload_id`` (False -> 404); its own uploads by key."""
        ...

    def upload_created(self, upload_id: str, length: int, metadata: dict[str, str]) -> None:
        """A new upload began (inside the transaction that records it)."""
        ...

    def upload_completed(self, upload_id: str, blob: BlobInfo, metadata: dict[str, str]) -> None:
        """Every byte arrived and ``blob`` is stored; called exactly once, in a transaction."""
        ...


class _Refusal(Exception):
    """An answer other than success, with its status and a German/English text and hint."""

    def __init__(self, status: int, message: str, hint: str = "", **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint
        self.headers = headers


def _uploads_service(services: ServiceRegistry) -> Uploads:
    # On the intake's vault, so a finished upload is a blob the intake can take over.
    return Uploads(services.find(Vault))


registry.register(Uploads, _uploads_service)


def default_uploads() -> Uploads:
    """The process's upload engine (from the provider), on the intake's vault.

    One per process: it keeps the running SHA-256 of the uploads it serves.
    """
    return find_service(Uploads)


def expiry_window() -> timedelta:
    """How long an unfinished upload waits for its next chunk."""
    return timedelta(seconds=settings.TUS_UPLOAD_EXPIRY_SECONDS)


def tus_dispatch(
    request: HttpRequest,
    *,
    target: TusTarget,
    uploads: Uploads,
    upload_id: str | None,
    base_url: str,
) -> HttpResponse:
    """Answer one tus request for ``target``; ``upload_id`` is None for the collection URL."""
    try:
        response = _dispatch(request, target, uploads, upload_id, base_url)
    except _Refusal as refusal:
        text = f"{refusal.message} {refusal.hint}".strip() + "\n"
        response = HttpResponse(text, status=refusal.status, content_type=_TEXT)
        if refusal.status == 460:
            response.reason_phrase = "Checksum Mismatch"
        for name, value in refusal.headers.items():
            response[name.replace("_", "-")] = value
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _dispatch(
    request: HttpRequest,
    target: TusTarget,
    uploads: Uploads,
    upload_id: str | None,
    base_url: str,
) -> HttpResponse:
    method = request.method
    if method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = TUS_EXTENSIONS
        response["Tus-Max-Size"] = str(max(target.max_size(), 0))
        response["Tus-Checksum-Algorithm"] = CHECKSUM_ALGORITHMS
        return response
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise _Refusal(
            412,
            _("Diese Version des Upload-Protokolls wird nicht unterstützt."),
            _("Verwenden Sie tus 1.0.0."),
            Tus_Version=TUS_VERSION,
        )
    if upload_id is None:
        if method != "POST":
            raise _Refusal(
                405,
                _("Diese Anfrage ist hier nicht möglich."),
                _("Verwenden Sie ein tus-1.0-Programm zum Hochladen."),
                Allow="POST, OPTIONS",
            )
        return _create(request, target, uploads, base_url)
    row = _upload_for(target, upload_id)
    if method == "HEAD":
        return _head(row, target, uploads)
    if method == "PATCH":
        return _patch(request, row, target, uploads)
    if method == "DELETE":
        return _delete(row, uploads)
    raise _Refusal(
        405,
        _("Diese Anfrage ist hier nicht möglich."),
        _("Verwenden Sie ein tus-1.0-Programm zum Hochladen."),
        Allow="HEAD, PATCH, DELETE, OPTIONS",
    )


def _not_found() -> _Refusal:
    return _Refusal(
        404,
        _("Diesen Hochladevorgang gibt es nicht (mehr)."),
        _("Laden Sie die Datei neu hoch."),
    )


def _upload_for(target: TusTarget, upload_id: str) -> Upload:
    """The target's own upload; anything else (malformed, unknown, foreign) is a 404."""
    if not _UPLOAD_ID.fullmatch(upload_id):
        raise _not_found()
    row = Upload.objects.filter(upload_id=upload_id, target=target.key).first()
    if row is None or not target.upload_owned(upload_id):
        raise _not_found()
    if row.completed is None and row.expires <= timezone.now():
        raise _Refusal(
            410,
            _("Dieser Hochladevorgang ist abgelaufen."),
            _("Unterbrochene Uploads werden gelöscht. Laden Sie die Datei neu hoch."),
        )
    return row


def _create(
    request: HttpRequest, target: TusTarget, uploads: Uploads, base_url: str
) -> HttpResponse:
    if "Upload-Defer-Length" in request.headers:
        raise _Refusal(
            400,
            _("Die Dateigröße muss beim Start angegeben werden."),
            _("Senden Sie Upload-Length."),
        )
    length = _integer(request.headers.get("Upload-Length"), "Upload-Length")
    limit = target.max_size()
    if length > limit:
        raise _Refusal(
            413,
            _("Die Datei ist größer, als hier noch Platz ist (%(limit)s Bytes).")
            % {"limit": limit},
            _("Verkleinern Sie die Datei oder bitten Sie Ihre Ansprechperson um mehr Platz."),
        )
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    uploads_expired_remove(uploads=uploads)
    upload_id = uploads.begin(length=length)
    now = timezone.now()
    try:
        with transaction.atomic():
            row = Upload.objects.create(
                upload_id=upload_id,
                target=target.key,
                length=length,
                metadata=metadata,
                created=now,
                expires=now + expiry_window(),
            )
            target.upload_created(upload_id, length, metadata)
    except BaseException:
        uploads.abort(upload_id)
        raise
    response = HttpResponse(status=201)
    response["Location"] = request.build_absolute_uri(f"{base_url}{upload_id}/")
    response["Upload-Expires"] = http_date(row.expires.timestamp())
    response["Upload-Offset"] = "0"
    if length == 0:
        _complete_or_leave_to_the_writer(row, target, uploads)
    return response


def _head(row: Upload, target: TusTarget, uploads: Uploads) -> HttpResponse:
    response = HttpResponse(status=200)
    response["Upload-Length"] = str(row.length)
    if row.completed is not None:
        response["Upload-Offset"] = str(row.length)
        return response
    try:
        offset = uploads.offset(row.upload_id)
    except UploadNotFoundError:
        raise _not_found() from None
    if offset == row.length:
        # The last chunk was committed but the process died before the hand-over.
        _complete_or_leave_to_the_writer(row, target, uploads)
    response["Upload-Offset"] = str(offset)
    if row.completed is None:
        response["Upload-Expires"] = http_date(row.expires.timestamp())
    return response


def _patch(request: HttpRequest, row: Upload, target: TusTarget, uploads: Uploads) -> HttpResponse:
    content_type = request.content_type or ""
    if content_type != OFFSET_CONTENT_TYPE:
        raise _Refusal(
            415,
            _("Falsche Art der Daten für das Hochladen."),
            _("Senden Sie Content-Type: application/offset+octet-stream."),
        )
    offset = _integer(request.headers.get("Upload-Offset"), "Upload-Offset")
    sha256 = _checksum(request.headers.get("Upload-Checksum"))
    declared = request.META.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if row.completed is not None:
        if offset == row.length and not declared.strip("0"):
            response = HttpResponse(status=204)
            response["Upload-Offset"] = str(row.length)
            return response
        raise _conflict(row.length)
    if declared:
        length: int | None = _integer(declared, "Content-Length")
        source = request  # Django's LimitedStream: never more than Content-Length
    elif chunked and request.META.get("wsgi.input_terminated"):
        # The server (gunicorn) decodes chunked bodies and ends the stream; the
        # engine stops at the bytes the upload has left and refuses more (413).
        length = None
        source = request.META["wsgi.input"]
    else:
        # A server that hands over raw chunk framing would store it as data.
        raise _Refusal(
            411,
            _("Die Länge des Datenblocks fehlt."),
            _("Senden Sie Content-Length."),
        )
    try:
        new_offset = uploads.append(
            row.upload_id, offset=offset, source=source, length=length, sha256=sha256
        )
    except UploadOffsetError as exc:
        raise _conflict(exc.current) from None
    except UploadChecksumError:
        raise _Refusal(
            460,
            _("Die Prüfsumme des Datenblocks stimmt nicht: Er wurde verworfen."),
            _("Senden Sie diesen Teil noch einmal."),
        ) from None
    except UploadTooLargeError:
        raise _Refusal(
            413,
            _("Der Datenblock ist länger, als die angekündigte Datei noch Platz hat."),
            _("Senden Sie nur die fehlenden Bytes."),
        ) from None
    except UploadBusyError:
        raise _busy() from None
    except UploadNotFoundError:
        raise _not_found() from None
    except OSError:
        # The client's stream broke off (reset, malformed chunk; gunicorn's body
        # errors are OSErrors, storage errors arrive as VaultError): what arrived
        # is committed or discarded by the engine; the client resumes after HEAD.
        raise _Refusal(
            400,
            _("Die Verbindung brach während des Hochladens ab."),
            _("Setzen Sie das Hochladen fort."),
        ) from None
    metrics.tus_bytes_received(new_offset - offset)
    expires = timezone.now() + expiry_window()
    Upload.objects.filter(pk=row.pk).update(expires=expires)
    row.expires = expires
    response = HttpResponse(status=204)
    response["Upload-Offset"] = str(new_offset)
    if new_offset == row.length:
        _complete_or_leave_to_the_writer(row, target, uploads)
    else:
        response["Upload-Expires"] = http_date(expires.timestamp())
    return response


def _delete(row: Upload, uploads: Uploads) -> HttpResponse:
    if row.completed is not None:
        # The file has been handed over (to the intake): terminating it is not ours to do.
        raise _Refusal(
            409,
            _("Dieser Upload ist abgeschlossen und kann nicht mehr abgebrochen werden."),
            _("Wenden Sie sich an Ihre Ansprechperson, wenn die Datei entfernt werden soll."),
        )
    try:
        uploads.abort(row.upload_id)
    except UploadBusyError:
        raise _busy() from None
    row.delete()
    return HttpResponse(status=204)


def _complete(row: Upload, target: TusTarget, uploads: Uploads) -> None:
    """Finish the vault blob and hand it to the target exactly once, then release the state."""
    blob = uploads.finish(row.upload_id)
    with transaction.atomic():
        # The conditional update makes exactly one caller the one that hands over,
        # also with two requests completing at once (HEAD after a crash, PATCH).
        claimed = Upload.objects.filter(pk=row.pk, completed__isnull=True).update(
            completed=timezone.now()
        )
        if claimed:
            target.upload_completed(row.upload_id, blob, dict(row.metadata))
    row.refresh_from_db(fields=["completed"])
    # The blob stays; only the upload's state goes. Busy: someone else is
    # looking at it right now, and the sweep releases it later.
    with contextlib.suppress(UploadBusyError):
        uploads.abort(row.upload_id)


def _complete_or_leave_to_the_writer(row: Upload, target: TusTarget, uploads: Uploads) -> None:
    # Busy: the request that wrote the last chunk is completing it right now.
    with contextlib.suppress(UploadBusyError):
        _complete(row, target, uploads)


def _conflict(current: int) -> _Refusal:
    return _Refusal(
        409,
        _("Dieser Teil passt nicht an die bisher empfangene Stelle (%(offset)s).")
        % {"offset": current},
        _("Fragen Sie den Stand ab und setzen Sie dort fort."),
        Upload_Offset=str(current),
    )


def _busy() -> _Refusal:
    return _Refusal(
        423,
        _("An diesem Upload wird gerade geschrieben."),
        _("Versuchen Sie es in einigen Sekunden erneut."),
        Retry_After="5",
    )


def _bad_request(what: str) -> _Refusal:
    return _Refusal(
        400,
        _("Die Angabe %(header)s fehlt oder ist ungültig.") % {"header": what},
        _("Verwenden Sie ein tus-1.0-Programm zum Hochladen."),
    )


def _integer(value: str | None, what: str) -> int:
    if value is None or not _DIGITS.fullmatch(value.strip()):
        raise _bad_request(what)
    return int(value.strip())


def _checksum(header: str | None) -> str | None:
    """The hex SHA-256 of ``Upload-Checksum: sha256 <base64>``; other algorithms are a 400."""
    if header is None:
        return None
    algorithm, _sep, encoded = header.strip().partition(" ")
    if algorithm.lower() != "sha256":
        raise _Refusal(
            400,
            _("Dieses Prüfsummenverfahren wird nicht unterstützt."),
            _("Verwenden Sie sha256."),
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise _bad_request("Upload-Checksum") from None
    if len(digest) != 32:
        raise _bad_request("Upload-Checksum")
    return digest.hex()


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs, values UTF-8 text.

    Keys are unique ASCII names; values must not hold control characters (they
    reach pages and audit lines as file names); the whole header is bounded.
    """
    if len(header.encode("utf-8", "replace")) > settings.TUS_METADATA_MAX_BYTES:
        raise _bad_request("Upload-Metadata")
    metadata: dict[str, str] = {}
    if not header.strip():
        return metadata
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if len(parts) > 2 or not _METADATA_KEY.fullmatch(parts[0]) or parts[0] in metadata:
            raise _bad_request("Upload-Metadata")
        value = ""
        if len(parts) == 2:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                raise _bad_request("Upload-Metadata") from None
        if _CONTROL.search(value):
            raise _bad_request("Upload-Metadata")
        metadata[parts[0]] = value
    return metadata


def uploads_reserved(target_key: str) -> int:
    """Bytes promised to unfinished, unexpired uploads of a target (for its remaining quota)."""
    total = (
        Upload.objects.filter(
            target=target_key, completed__isnull=True, expires__gt=timezone.now()
        ).aggregate(total=Sum("length"))["total"]
        or 0
    )
    return int(total)


def uploads_expired_remove(*, uploads: Uploads, now: datetime | None = None) -> int:
    """Remove unfinished uploads past their expiry with their vault segments; returns how many.

    Also releases what crashes leave: the engine state of uploads already
    handed over, and engine uploads without a row (the creating request died
    between ``begin`` and its commit) once they are older than the window.
    """
    now = now or timezone.now()
    removed = 0
    for status in list(uploads.uploads()):
        row = Upload.objects.filter(upload_id=status.upload_id).first()
        if row is None:
            stale = status.modified < now - expiry_window()
        else:
            stale = row.completed is not None or row.expires <= now
        if not stale:
            continue
        try:
            uploads.abort(status.upload_id)
        except UploadBusyError:
            continue  # a request is writing to it right now: not stale after all
        if row is not None and row.completed is None:
            row.delete()
            removed += 1
        elif row is None:
            removed += 1
    removed += uploads.remove_leftovers(now - expiry_window())
    # Rows whose engine state vanished (removed above or by an earlier sweep).
    expired = Upload.objects.filter(completed__isnull=True, expires__lte=now)
    for row in expired:
        try:
            uploads.offset(row.upload_id)
        except UploadNotFoundError:
            row.delete()
            removed += 1
    return removed
