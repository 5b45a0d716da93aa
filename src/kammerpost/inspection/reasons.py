"""The catalogue of inspection reasons: stable codes, texts for the sender.

Every reason the engine can give is listed here once, with a German and an
English message and a hint how to fix it. Codes are stable: other systems
(receipts, the mail gateway, statistics) key on them. Texts may use
``{placeholders}`` filled from the finding's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Severity(StrEnum):
    REJECT = "reject"  # the file is refused
    HOLD = "hold"  # no decision yet (virus scanner down); checked again later
    NOTE = "note"  # accepted, but the sender should know


@dataclass(frozen=True, slots=True)
class ReasonText:
    severity: Severity
    message_de: str
    message_en: str
    hint_de: str
    hint_en: str


_R = Severity.REJECT

_SAVE_AS_PDF_DE: Final = "Speichern oder drucken Sie das Dokument als PDF und senden Sie es erneut."
_SAVE_AS_PDF_EN: Final = "Save or print the document as a PDF and send it again."
_NO_MACROS_DE: Final = (
    "Speichern Sie das Dokument in Word oder Excel als „.docx“ bzw. „.xlsx“ "
    "(ohne Makros) oder als PDF und senden Sie es erneut."
)
_NO_MACROS_EN: Final = (
    "Save the document in Word or Excel as .docx or .xlsx (without macros), "
    "or as a PDF, and send it again."
)
_NO_ARCHIVE_DE: Final = (
    "Packen Sie das Archiv aus und senden Sie die einzelnen Dokumente als PDF, JPEG, PNG, "
    "DOCX oder XLSX."
)
_NO_ARCHIVE_EN: Final = (
    "Unpack the archive and send the documents one by one as PDF, JPEG, PNG, DOCX or XLSX."
)
_NO_PROGRAMS_DE: Final = (
    "Programme und Skripte nehmen wir nicht an. Senden Sie nur Dokumente "
    "(PDF, JPEG, PNG, DOCX oder XLSX)."
)
_NO_PROGRAMS_EN: Final = (
    "We do not accept programs or scripts. Send documents only (PDF, JPEG, PNG, DOCX or XLSX)."
)
_ACTIVE_PDF_HINT_DE: Final = (
    "Drucken Sie das Dokument mit „Als PDF drucken“ in eine neue PDF-Datei; "
    "dabei fallen aktive Inhalte weg."
)
_ACTIVE_PDF_HINT_EN: Final = (
    "Print the document to a new PDF file (“Print to PDF”); this removes active content."
)
_RESAVE_IMAGE_DE: Final = (
    "Öffnen Sie das Bild in einem Bildprogramm, speichern Sie es neu als JPEG oder PNG "
    "und senden Sie es erneut."
)
_RESAVE_IMAGE_EN: Final = (
    "Open the picture in an image program, save it again as JPEG or PNG and send it again."
)
_RESAVE_OFFICE_DE: Final = (
    "Öffnen Sie die Datei in Word oder Excel, speichern Sie sie neu als „.docx“ bzw. „.xlsx“ "
    "oder als PDF und senden Sie sie erneut."
)
_RESAVE_OFFICE_EN: Final = (
    "Open the file in Word or Excel, save it again as .docx or .xlsx, or as a PDF, "
    "and send it again."
)


def _office_rule(what_de: str, what_en: str) -> ReasonText:
    return ReasonText(
        _R,
        f"Das Dokument enthält {what_de}. Solche Inhalte können Schadcode ausführen "
        "und werden deshalb nicht angenommen.",
        f"The document contains {what_en}. Such content can run harmful code, "
        "so we do not accept it.",
        _NO_MACROS_DE,
        _NO_MACROS_EN,
    )


def _pdf_rule(what_de: str, what_en: str) -> ReasonText:
    return ReasonText(
        _R,
        f"Die PDF-Datei enthält {what_de}. Das nehmen wir aus Sicherheitsgründen nicht an.",
        f"The PDF file contains {what_en}. We do not accept this for security reasons.",
        _ACTIVE_PDF_HINT_DE,
        _ACTIVE_PDF_HINT_EN,
    )


def _archive(kind: str) -> ReasonText:
    return ReasonText(
        _R,
        f"Die Datei ist ein gepacktes Archiv ({kind}). Archive nehmen wir nicht an, "
        "auch nicht unter einem anderen Dateinamen.",
        f"The file is a packed archive ({kind}). We do not accept archives, "
        "not even under another file name.",
        _NO_ARCHIVE_DE,
        _NO_ARCHIVE_EN,
    )


def _program(kind_de: str, kind_en: str) -> ReasonText:
    return ReasonText(
        _R,
        f"Die Datei ist ein Programm ({kind_de}), kein Dokument – egal wie sie heißt.",
        f"The file is a program ({kind_en}), not a document, whatever its name.",
        _NO_PROGRAMS_DE,
        _NO_PROGRAMS_EN,
    )


def _unsupported(kind_de: str, kind_en: str, hint_de: str, hint_en: str) -> ReasonText:
    return ReasonText(
        _R,
        f"Die Datei ist {kind_de}. Dieses Format nehmen wir nicht an.",
        f"The file is {kind_en}. We do not accept this format.",
        hint_de,
        hint_en,
    )


REASONS: Final[dict[str, ReasonText]] = {
    # --- limits and names -------------------------------------------------
    "file.empty": ReasonText(
        _R,
        "Die Datei ist leer (0 Byte).",
        "The file is empty (0 bytes).",
        "Prüfen Sie, ob Sie die richtige Datei ausgewählt haben, und senden Sie sie erneut.",
        "Check that you picked the right file and send it again.",
    ),
    "file.too_large": ReasonText(
        _R,
        "Die Datei ist zu groß: {size_mb} MB. Erlaubt sind höchstens {limit_mb} MB.",
        "The file is too large: {size_mb} MB. The limit is {limit_mb} MB.",
        "Verkleinern Sie die Datei (zum Beispiel Scans mit geringerer Auflösung) oder teilen "
        "Sie sie auf. Sehr große Dateien können Sie nach Absprache über die HWK-Cloud senden.",
        "Make the file smaller (for example scan at a lower resolution) or split it. "
        "Very large files can be sent through the HWK cloud after arrangement.",
    ),
    "file.too_complex": ReasonText(
        _R,
        "Die Datei ließ sich nicht in angemessener Zeit oder mit angemessenem Speicher "
        "prüfen. Sie ist beschädigt oder ungewöhnlich aufgebaut.",
        "The file could not be checked within reasonable time or memory. "
        "It is damaged or built in an unusual way.",
        _SAVE_AS_PDF_DE,
        _SAVE_AS_PDF_EN,
    ),
    "name.control_characters": ReasonText(
        _R,
        "Der Dateiname enthält unsichtbare Steuerzeichen.",
        "The file name contains invisible control characters.",
        "Benennen Sie die Datei um (nur Buchstaben, Ziffern, Leerzeichen, Punkt, Binde- und "
        "Unterstrich) und senden Sie sie erneut.",
        "Rename the file (letters, digits, spaces, dots, hyphens and underscores only) "
        "and send it again.",
    ),
    "name.bidi_override": ReasonText(
        _R,
        "Der Dateiname enthält Zeichen, die die Schreibrichtung umkehren. Damit lässt sich "
        "die wahre Dateiendung verschleiern.",
        "The file name contains characters that reverse the writing direction. They can "
        "disguise the real file extension.",
        "Benennen Sie die Datei um (nur Buchstaben, Ziffern, Leerzeichen, Punkt, Binde- und "
        "Unterstrich) und senden Sie sie erneut.",
        "Rename the file (letters, digits, spaces, dots, hyphens and underscores only) "
        "and send it again.",
    ),
    "name.mismatch": ReasonText(
        Severity.NOTE,
        "Der Dateiname endet auf „{extension}“, der Inhalt ist aber {real_de}. "
        "Wir haben die Datei als {real_de} angenommen.",
        "The file name ends in “{extension}”, but the content is {real_en}. "
        "We accepted the file as {real_en}.",
        "Sie müssen nichts tun. Benennen Sie die Datei künftig mit der Endung „{real_ext}“.",
        "Nothing to do. In future, name the file with the extension “{real_ext}”.",
    ),
    "format.not_allowed": ReasonText(
        _R,
        "Für dieses Verfahren sind nur {allowed_de} erlaubt. Die Datei ist {real_de}.",
        "This procedure accepts only {allowed_en}. The file is {real_en}.",
        "Wandeln Sie das Dokument in eines der erlaubten Formate um ({allowed_de}) und senden "
        "Sie es erneut. Fotos und Scans lassen sich zum Beispiel als PDF speichern.",
        "Convert the document to one of the allowed formats ({allowed_en}) and send it again. "
        "Photos and scans can be saved as PDF, for example.",
    ),
    "format.unknown": _unsupported(
        "in einem unbekannten oder nicht erlaubten Format",
        "in an unknown or unaccepted format",
        "Erlaubt sind PDF, JPEG, PNG, DOCX und XLSX. " + _SAVE_AS_PDF_DE,
        "We accept PDF, JPEG, PNG, DOCX and XLSX. " + _SAVE_AS_PDF_EN,
    ),
    "format.junk_before_signature": ReasonText(
        _R,
        "Vor dem eigentlichen Dateianfang stehen {offset} Byte fremder Daten. "
        "So aufgebaute Dateien werden oft benutzt, um Prüfungen zu umgehen.",
        "There are {offset} bytes of foreign data before the real start of the file. "
        "Files built like this are often used to get around checks.",
        _SAVE_AS_PDF_DE,
        _SAVE_AS_PDF_EN,
    ),
    "format.text": _unsupported(
        "eine reine Textdatei",
        "a plain text file",
        "Schreiben Sie den Text in das Nachrichtenfeld oder speichern Sie ihn als PDF.",
        "Put the text into the message field or save it as a PDF.",
    ),
    "format.rtf": _unsupported(
        "ein RTF-Dokument (Rich Text Format)",
        "an RTF document (Rich Text Format)",
        "Speichern Sie das Dokument als PDF oder als Word-Dokument „.docx“.",
        "Save the document as a PDF or as a Word document (.docx).",
    ),
    "format.html": _unsupported(
        "eine Webseite (HTML) oder XML-Datei",
        "a web page (HTML) or XML file",
        "Drucken Sie die Seite als PDF und senden Sie die PDF-Datei.",
        "Print the page to PDF and send the PDF file.",
    ),
    "format.svg": _unsupported(
        "eine SVG-Grafik. SVG kann Programmcode enthalten",
        "an SVG graphic. SVG can contain program code",
        "Speichern Sie die Grafik als PNG oder PDF.",
        "Save the graphic as PNG or PDF.",
    ),
    "format.image_unsupported": _unsupported(
        "ein Bild im Format {kind}",
        "a picture in {kind} format",
        "Speichern Sie das Bild als JPEG oder PNG. Auf dem iPhone: Einstellungen › Kamera › "
        "Formate › „Maximale Kompatibilität“.",
        "Save the picture as JPEG or PNG. On an iPhone: Settings › Camera › Formats › "
        "“Most Compatible”.",
    ),
    "format.legacy_office": _unsupported(
        "ein Office-Dokument im alten Format (Word/Excel 97–2003)",
        "an Office document in the old format (Word/Excel 97-2003)",
        "Öffnen Sie die Datei in Word oder Excel und speichern Sie sie als „.docx“ bzw. "
        "„.xlsx“ oder als PDF.",
        "Open the file in Word or Excel and save it as .docx or .xlsx, or as a PDF.",
    ),
    "format.encrypted": ReasonText(
        _R,
        "Die Datei ist mit einem Passwort geschützt. Verschlüsselte Dateien können wir "
        "nicht prüfen und deshalb nicht annehmen.",
        "The file is protected with a password. We cannot check encrypted files, "
        "so we cannot accept them.",
        "Entfernen Sie den Passwortschutz (in Word/Excel: Datei › Informationen › Dokument "
        "schützen › Mit Kennwort verschlüsseln, Feld leeren) und senden Sie die Datei erneut. "
        "Für vertrauliche Unterlagen nutzen Sie das Kundenportal oder die HWK-Cloud.",
        "Remove the password (in Word/Excel: File › Info › Protect Document › Encrypt with "
        "Password, clear the field) and send the file again. For confidential documents use "
        "the customer portal or the HWK cloud.",
    ),
    # --- programs and archives -------------------------------------------
    "exe.pe": _program("Windows-Programm oder -Bibliothek", "Windows program or library"),
    "exe.elf": _program("Linux-Programm", "Linux program"),
    "exe.macho": _program("macOS-Programm", "macOS program"),
    "exe.java": _program("Java-Programm", "Java program"),
    "exe.lnk": _program("Windows-Verknüpfung", "Windows shortcut"),
    "exe.msi": _program("Windows-Installationspaket", "Windows installer package"),
    "exe.script": _program("Skript oder Stapelverarbeitung", "script or batch file"),
    "archive.zip": _archive("ZIP"),
    "archive.rar": _archive("RAR"),
    "archive.7z": _archive("7-Zip"),
    "archive.gzip": _archive("gzip"),
    "archive.bzip2": _archive("bzip2"),
    "archive.xz": _archive("xz"),
    "archive.zstd": _archive("Zstandard"),
    "archive.tar": _archive("tar"),
    "archive.cab": _archive("CAB"),
    "archive.iso": _archive("ISO-Abbild"),
    "archive.other": _archive("{kind}"),
    # --- hidden payload ----------------------------------------------------
    "payload.trailing": ReasonText(
        _R,
        "Hinter dem Ende der Datei ({format}) sind {extra} Byte weiterer Daten angehängt. "
        "Darin können sich Schadprogramme verstecken.",
        "{extra} bytes of further data are appended after the end of the file ({format}). "
        "Harmful content can hide there.",
        "Speichern Sie die Datei in ihrem Programm neu (bei PDF: „Als PDF drucken“) und "
        "senden Sie sie erneut.",
        "Save the file again in its program (for a PDF: “Print to PDF”) and send it again.",
    ),
    "payload.zip": ReasonText(
        _R,
        "In der Datei ({format}) ist ein ZIP-Archiv versteckt.",
        "A ZIP archive is hidden inside the file ({format}).",
        "Speichern Sie die Datei in ihrem Programm neu (bei PDF: „Als PDF drucken“) und "
        "senden Sie sie erneut.",
        "Save the file again in its program (for a PDF: “Print to PDF”) and send it again.",
    ),
    # --- PDF -----------------------------------------------------------------
    "pdf.version_too_old": ReasonText(
        _R,
        "Die PDF-Datei hat die veraltete Version {version}. Wir nehmen PDF ab Version 1.3 an.",
        "The PDF file has the outdated version {version}. We accept PDF version 1.3 or newer.",
        _ACTIVE_PDF_HINT_DE.replace("; dabei fallen aktive Inhalte weg", ""),
        "Print the document to a new PDF file (“Print to PDF”).",
    ),
    "pdf.damaged": ReasonText(
        _R,
        "Die PDF-Datei ist beschädigt oder unvollständig und lässt sich nicht zuverlässig lesen.",
        "The PDF file is damaged or incomplete and cannot be read reliably.",
        "Erzeugen Sie die PDF-Datei neu (zum Beispiel mit „Als PDF drucken“) und prüfen Sie, "
        "ob sie sich öffnen lässt, bevor Sie sie erneut senden.",
        "Create the PDF file again (for example with “Print to PDF”) and check that it opens "
        "before you send it again.",
    ),
    "pdf.repaired": ReasonText(
        Severity.NOTE,
        "Die PDF-Datei hatte kleine Formfehler (zum Beispiel ein fehlerhaftes Inhaltsverzeichnis "
        "der Datei), wie sie jedes Leseprogramm gleich behebt. Sie wurde vollständig geprüft "
        "und angenommen.",
        "The PDF file had minor formal errors (for example a faulty cross-reference table) "
        "that every reader repairs the same way. It was checked completely and accepted.",
        "Sie müssen nichts tun. Wenn Ihr Programm solche Dateien öfter erzeugt, speichern Sie "
        "künftig mit „Als PDF drucken“.",
        "Nothing to do. If your program often makes such files, use “Print to PDF” in future.",
    ),
    "pdf.ambiguous": ReasonText(
        _R,
        "Die PDF-Datei enthält dasselbe Objekt mehrfach in widersprüchlichen Fassungen. Je nach "
        "Leseprogramm zeigt sie damit etwas anderes; das nehmen wir aus Sicherheitsgründen "
        "nicht an.",
        "The PDF file contains the same object more than once, in versions that contradict "
        "each other, so it shows different things in different readers. We do not accept "
        "this for security reasons.",
        _ACTIVE_PDF_HINT_DE,
        _ACTIVE_PDF_HINT_EN,
    ),
    "pdf.encrypted": ReasonText(
        _R,
        "Die PDF-Datei lässt sich nur mit einem Passwort öffnen. Verschlüsselte Dateien können "
        "wir nicht prüfen.",
        "The PDF file can only be opened with a password. We cannot check encrypted files.",
        "Speichern Sie die PDF-Datei ohne Passwort (Kennwortschutz entfernen) und senden Sie "
        "sie erneut. Für vertrauliche Unterlagen nutzen Sie das Kundenportal oder die HWK-Cloud.",
        "Save the PDF without a password (remove the password protection) and send it again. "
        "For confidential documents use the customer portal or the HWK cloud.",
    ),
    "pdf.javascript": _pdf_rule("JavaScript-Programmcode", "JavaScript program code"),
    "pdf.launch": _pdf_rule(
        "eine Aktion, die Programme oder Dateien startet",
        "an action that starts programs or files",
    ),
    "pdf.embedded_file": _pdf_rule(
        "eingebettete Dateien (Anhänge)",
        "embedded files (attachments)",
    ),
    "pdf.xfa": _pdf_rule(
        "ein XFA-Formular (dynamisches Adobe-Formular)",
        "an XFA form (dynamic Adobe form)",
    ),
    "pdf.rich_media": _pdf_rule(
        "eingebettete Multimedia-Inhalte (Flash, Video, 3D)",
        "embedded multimedia content (Flash, video, 3D)",
    ),
    "pdf.remote_action": _pdf_rule(
        "Verweise, die andere Dateien öffnen",
        "references that open other files",
    ),
    "pdf.form_submission": _pdf_rule(
        "Formularaktionen, die Daten senden oder laden",
        "form actions that send or load data",
    ),
    "pdf.automatic_action": _pdf_rule(
        "Aktionen, die beim Öffnen oder Anzeigen automatisch ausgeführt werden",
        "actions that run automatically when the file is opened or shown",
    ),
    # --- images --------------------------------------------------------------
    "image.damaged": ReasonText(
        _R,
        "Das Bild ({format}) ist beschädigt oder unvollständig und lässt sich nicht anzeigen.",
        "The picture ({format}) is damaged or incomplete and cannot be shown.",
        _RESAVE_IMAGE_DE,
        _RESAVE_IMAGE_EN,
    ),
    "image.too_many_pixels": ReasonText(
        _R,
        "Das Bild ist mit {width} × {height} Bildpunkten zu groß. "
        "Erlaubt sind höchstens {limit_mp} Megapixel.",
        "The picture is too large at {width} × {height} pixels. "
        "The limit is {limit_mp} megapixels.",
        "Verkleinern Sie das Bild (zum Beispiel auf 4000 Bildpunkte Breite) und senden Sie es "
        "erneut.",
        "Make the picture smaller (for example 4000 pixels wide) and send it again.",
    ),
    "image.metadata_too_large": ReasonText(
        _R,
        "Das Bild enthält ungewöhnlich große Zusatzdaten (Metadaten).",
        "The picture contains unusually large extra data (metadata).",
        _RESAVE_IMAGE_DE,
        _RESAVE_IMAGE_EN,
    ),
    # --- Office Open XML -----------------------------------------------------
    "ooxml.damaged": ReasonText(
        _R,
        "Das Office-Dokument ist beschädigt oder nicht regelgerecht aufgebaut.",
        "The Office document is damaged or not built according to the standard.",
        _RESAVE_OFFICE_DE,
        _RESAVE_OFFICE_EN,
    ),
    "ooxml.unsafe_zip": ReasonText(
        _R,
        "Das Office-Dokument ist als Datei-Container so aufgebaut, wie es nur bei "
        "Angriffen vorkommt ({detail_de}).",
        "The Office document's container is built in a way only seen in attacks ({detail_en}).",
        _RESAVE_OFFICE_DE,
        _RESAVE_OFFICE_EN,
    ),
    "ooxml.too_large_unpacked": ReasonText(
        _R,
        "Das Office-Dokument würde entpackt zu groß (über {limit_mb} MB) oder hat zu viele Teile.",
        "Unpacked, the Office document would be too large (over {limit_mb} MB) "
        "or has too many parts.",
        "Entfernen Sie große eingebettete Bilder oder speichern Sie das Dokument als PDF.",
        "Remove large embedded pictures or save the document as a PDF.",
    ),
    "ooxml.macro_enabled": _office_rule(
        "Makros bzw. ist als Dokument mit Makros gespeichert (zum Beispiel .docm oder .xlsm)",
        "macros or is saved as a macro-enabled document (for example .docm or .xlsm)",
    ),
    "ooxml.template": ReasonText(
        _R,
        "Die Datei ist eine Office-Vorlage (.dotx/.xltx), kein Dokument.",
        "The file is an Office template (.dotx/.xltx), not a document.",
        "Öffnen Sie die Vorlage und speichern Sie sie als Dokument „.docx“ bzw. „.xlsx“.",
        "Open the template and save it as a .docx or .xlsx document.",
    ),
    "ooxml.other_kind": _unsupported(
        "ein Office-Dokument der Art {kind}",
        "an Office document of the kind {kind}",
        _SAVE_AS_PDF_DE,
        _SAVE_AS_PDF_EN,
    ),
    "ooxml.macros": _office_rule("Makros (VBA-Programmcode)", "macros (VBA program code)"),
    "ooxml.xlm_macros": _office_rule("Excel-4-Makroblätter", "Excel 4 macro sheets"),
    "ooxml.activex": _office_rule("ActiveX-Steuerelemente", "ActiveX controls"),
    "ooxml.ole_object": _office_rule(
        "eingebettete oder verknüpfte Objekte (OLE)",
        "embedded or linked objects (OLE)",
    ),
    "ooxml.alt_chunk": _office_rule(
        "eingebettete fremde Dokumentteile (altChunk)",
        "embedded foreign document parts (altChunk)",
    ),
    "ooxml.remote_template": _office_rule(
        "einen Verweis auf eine Vorlage oder ein Teildokument an anderer Stelle",
        "a reference to a template or sub-document elsewhere",
    ),
    "ooxml.dde": _office_rule(
        "DDE-Felder oder -Verknüpfungen, die Programme starten können",
        "DDE fields or links that can start programs",
    ),
    "ooxml.external_link": _office_rule(
        "Verknüpfungen zu anderen Dateien",
        "links to other files",
    ),
    "ooxml.addin": _office_rule("Add-ins oder Erweiterungen", "add-ins or extensions"),
    "ooxml.dtd": ReasonText(
        _R,
        "Das Office-Dokument enthält XML-Definitionen (DTD), wie sie für Angriffe benutzt werden.",
        "The Office document contains XML definitions (DTD) of the kind used in attacks.",
        _RESAVE_OFFICE_DE,
        _RESAVE_OFFICE_EN,
    ),
    # --- virus scan ------------------------------------------------------------
    "av.infected": ReasonText(
        _R,
        "Der Virenscanner hat Schadsoftware gefunden ({signature}).",
        "The virus scanner found malware ({signature}).",
        "Senden Sie die Datei nicht erneut. Prüfen Sie Ihren Computer mit einem aktuellen "
        "Virenschutz und erzeugen Sie das Dokument auf einem sauberen Gerät neu.",
        "Do not send the file again. Check your computer with up-to-date antivirus software "
        "and create the document again on a clean device.",
    ),
    "av.unavailable": ReasonText(
        Severity.HOLD,
        "Die Datei ist angekommen, konnte aber noch nicht auf Viren geprüft werden. "
        "Sie bleibt sicher gespeichert und wird geprüft, sobald der Virenscanner wieder "
        "bereitsteht.",
        "The file has arrived but could not be checked for viruses yet. It stays safely "
        "stored and is checked as soon as the virus scanner is back.",
        "Sie müssen nichts tun. Senden Sie die Datei bitte nicht noch einmal.",
        "Nothing to do. Please do not send the file again.",
    ),
    "av.too_large": ReasonText(
        Severity.HOLD,
        "Die Datei ist sicher angekommen, ist aber größer, als unser Virenscanner prüfen kann "
        "(höchstens {limit_mb} MB). Ungeprüft wird sie nicht weitergegeben; sie bleibt "
        "zurückgehalten.",
        "The file has arrived safely but is larger than our virus scanner can check (at most "
        "{limit_mb} MB). It is not passed on unchecked; it stays held.",
        "Teilen Sie die Datei in kleinere Dateien auf (zum Beispiel einzelne PDF-Dateien je "
        "Kapitel) und senden Sie diese.",
        "Split the file into smaller files (for example one PDF per chapter) and send those.",
    ),
    "storage.unavailable": ReasonText(
        Severity.HOLD,
        "Die Datei ist sicher angekommen, konnte aber gerade nicht geprüft werden. "
        "Die Prüfung wird automatisch wiederholt.",
        "The file has arrived safely but could not be checked just now. "
        "The check is repeated automatically.",
        "Sie müssen nichts tun. Senden Sie die Datei bitte nicht noch einmal.",
        "Nothing to do. Please do not send the file again.",
    ),
}


def reason_text(code: str) -> ReasonText:
    """The texts for ``code``; unknown codes are a programming error."""
    return REASONS[code]
