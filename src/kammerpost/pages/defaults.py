"""The shipped texts of the public pages (German and English, Markdown).

They seed the ``PublicPage`` rows (data migration) and stand in for a row
that does not exist. Numbers and lists that come from configuration are
placeholders (``{{ formate }}``, ``{{ mail_mb }}``, ...; see
``selectors.BLOCKS`` and ``selectors.VALUES``), never typed here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultPage:
    title_de: str
    title_en: str
    body_de: str
    body_en: str


START = DefaultPage(
    title_de="Dokumente sicher an die Kammer senden",
    title_en="Send documents to the chamber securely",
    body_de="""\
Mit Kammerpost senden Betriebe und Privatpersonen Unterlagen und Nachrichten an die
{{ kammer }}. Jede Datei wird geprüft, bevor sie bei uns jemand öffnet. Sie erfahren
sofort, ob sie angekommen ist – und wenn nicht, was Sie ändern müssen.

## Welcher Weg passt?

- **E-Mail** – für kurze Fragen und einfache Schreiben, höchstens {{ mail_mb }} MB je
  E-Mail. **Achtung: Eine normale E-Mail wird unverschlüsselt übertragen.** Schicken Sie
  vertrauliche Unterlagen deshalb nicht per E-Mail.
- **Kundenportal** – für Anträge, Formulare und Nachweise. Verschlüsselt übertragen, mit
  Eingangsbestätigung; höchstens {{ portal_mb }} MB je Datei.
  [Im Kundenportal anmelden](/konto/login/) oder [registrieren](/konto/signup/).
- **HWK-Cloud** – für sehr große oder besonders vertrauliche Dateien, nur nach Absprache
  mit Ihrer Ansprechperson. Sie erhalten dafür einen persönlichen Zugang.

## Diese Dateiformate nehmen wir an

{{ formate }}

Nicht angenommen werden: Dateien mit Makros oder Programmcode, Programme und Skripte,
gepackte Archive (zum Beispiel ZIP), passwortgeschützte oder beschädigte Dateien und alle
anderen Formate. Warum, steht bei den [Dateiformaten und Grenzen](/formate/).

## Hilfe

- [Häufige Fragen](/fragen/)
- [Haben Sie noch Fragen? Schreiben Sie uns!](/kontakt/)
""",
    body_en="""\
With Kammerpost, businesses and private persons send documents and messages to the
{{ kammer }}. Every file is checked before anyone here opens it. You learn at once whether
it arrived – and if not, what you need to change.

## Which way suits you?

- **E-mail** – for short questions and simple letters, at most {{ mail_mb }} MB per
  e-mail. **Note: an ordinary e-mail travels unencrypted.** So do not send confidential
  documents by e-mail.
- **Customer portal** – for applications, forms and proofs. Encrypted in transit, with an
  acknowledgement of receipt; at most {{ portal_mb }} MB per file.
  [Log in to the customer portal](/konto/login/) or [register](/konto/signup/).
- **Cloud area (HWK-Cloud)** – for very large or particularly confidential files, only by
  arrangement with your contact person, who gives you personal access.

## These file formats are accepted

{{ formate }}

Not accepted: files with macros or program code, programs and scripts, compressed archives
(for example ZIP), password-protected or damaged files and all other formats. The reasons
are on the page [file formats and limits](/formate/).

## Help

- [Frequently asked questions](/fragen/)
- [Any questions left? Write to us!](/kontakt/)
""",
)

FORMATS = DefaultPage(
    title_de="Dateiformate und Grenzen",
    title_en="File formats and limits",
    body_de="""\
Wir prüfen jede Datei nach ihrem **Inhalt**, nicht nach dem Dateinamen. Eine Datei, die
sich als ein anderes angenommenes Format herausstellt (ein PNG-Bild namens `foto.jpg`),
nehmen wir unter ihrem echten Format an und sagen es Ihnen.

## Angenommene Formate

{{ formate }}

## Größen

{{ grenzen }}

## Einzelne Online-Verfahren nehmen weniger an

{{ verfahren }}

## Was wir ablehnen – und warum

- **Makros und Programmcode** (zum Beispiel DOCM, XLSM oder ein Makro in einer Datei
  namens .docx): Makros können beim Öffnen Schadprogramme ausführen. Speichern Sie das
  Dokument als DOCX, XLSX oder PDF ohne Makros.
- **Programme und Skripte** (EXE, MSI, BAT, JS, …), gleich wie sie heißen: Wir brauchen
  Dokumente, keine Programme.
- **Archive** (ZIP, RAR, 7z, …): In einem Archiv können wir nicht jede Datei zuverlässig
  prüfen, und Archive verstecken oft Schadprogramme. Senden Sie die Dateien einzeln.
- **Passwortgeschützte oder verschlüsselte Dateien**: Wir können sie nicht prüfen.
  Entfernen Sie den Kennwortschutz; für vertrauliche Unterlagen nutzen Sie das
  Kundenportal.
- **Links zu Download-Seiten** (WeTransfer, Dropbox, …) in einer E-Mail: Wir laden nichts
  von fremden Seiten herunter. Senden Sie die Datei im Kundenportal oder – bei sehr großen
  Dateien nach Absprache – in die HWK-Cloud.
- **Alles andere**: unbekannte Formate, PDF-Dateien älter als Version 1.3, beschädigte
  Dateien und alles, was der Virenscanner meldet.
""",
    body_en="""\
We check every file by its **content**, not by its name. A file that turns out to be
another accepted format (a PNG picture named `photo.jpg`) is accepted as what it really is,
and we tell you so.

## Accepted formats

{{ formate }}

## Sizes

{{ grenzen }}

## Some online procedures accept less

{{ verfahren }}

## What we refuse – and why

- **Macros and program code** (for example DOCM, XLSM or a macro inside a file named
  .docx): macros can run malware when the file is opened. Save the document as DOCX, XLSX
  or PDF without macros.
- **Programs and scripts** (EXE, MSI, BAT, JS, …), whatever their name: we need
  documents, not programs.
- **Archives** (ZIP, RAR, 7z, …): we cannot reliably check every file inside an archive,
  and archives often hide malware. Send the files one by one.
- **Password-protected or encrypted files**: we cannot check them. Remove the password;
  for confidential documents use the customer portal.
- **Links to download sites** (WeTransfer, Dropbox, …) in an e-mail: we do not download
  anything from other sites. Send the file in the customer portal or – very large files,
  by arrangement – in the cloud area.
- **Everything else**: unknown formats, PDF files older than version 1.3, damaged files
  and anything the virus scanner reports.
""",
)

FAQ = DefaultPage(
    title_de="Häufige Fragen",
    title_en="Frequently asked questions",
    body_de="""\
## Ich habe der Kammer eine E-Mail geschrieben. Antworten Sie mir jetzt auch elektronisch?

Ja. Wer mit uns elektronisch Kontakt aufnimmt – per E-Mail, im Kundenportal, über das
Kontaktformular oder in der HWK-Cloud –, mit dem kommunizieren wir auch weiter
elektronisch. Wir halten fest, seit wann und auf welchem Weg. Ausnahme: Wenn eine
Vorschrift die Papierform verlangt, schreiben wir Ihnen per Post.

Möchten Sie das nicht? Dann sagen Sie es uns: im Kundenportal unter
[Kommunikation](/kommunikation/), über den Link „Keine E-Mails mehr“ in jeder
Benachrichtigung oder mit einer kurzen Nachricht. Wir antworten Ihnen dann per Post.

## Warum laden Sie Dateien von Links in meiner E-Mail nicht herunter?

Ein Link zu einer Download-Seite (WeTransfer, Dropbox, OneDrive, …) führt zu Inhalten,
die wir nicht kennen und die sich jederzeit ändern können. Wir laden deshalb nichts von
fremden Seiten herunter. Senden Sie Dateien bis {{ portal_mb }} MB im Kundenportal;
größere Dateien nehmen wir nach Absprache in der HWK-Cloud an.

## Warum nehmen Sie keine ZIP-Dateien an?

In einem Archiv kann jede Art von Datei stecken, auch verschachtelt und verschlüsselt.
Wir könnten nicht jede Datei darin so gründlich prüfen wie eine einzelne. Senden Sie die
Dateien deshalb einzeln; im Kundenportal geht das mit mehreren Dateien auf einmal.

## Was ist eine qualifizierte elektronische Signatur, und wann brauche ich sie?

Eine qualifizierte elektronische Signatur (qeS) ist die elektronische Form der
eigenhändigen Unterschrift nach der EU-Verordnung eIDAS. Sie entsteht mit einem
qualifizierten Zertifikat auf einer sicheren Signaturerstellungseinheit (zum Beispiel
einer Signaturkarte oder einem Fernsignaturdienst). Sie brauchen sie nur, wenn eine
Vorschrift die Schriftform verlangt und diese elektronisch ersetzt werden soll; das
steht dann im jeweiligen Verfahren. Wir prüfen jede Signatur in einem PDF und zeigen der
Sachbearbeitung, ob sie gültig und qualifiziert ist.

## Welchen Weg nehme ich für vertrauliche Unterlagen?

Das Kundenportal: Es überträgt verschlüsselt, und Sie erhalten eine
Eingangsbestätigung. Sehr große oder besonders schutzbedürftige Dateien nehmen wir nach
Absprache in der HWK-Cloud an. Bitte nicht per normaler E-Mail – sie ist unverschlüsselt.

## Wie registriere ich mich für das Kundenportal?

[Registrieren](/konto/signup/) Sie sich mit Ihrer E-Mail-Adresse und einem Kennwort und
wählen Sie, ob Sie als **Privatperson** oder für einen **Betrieb** handeln. Sie erhalten
eine E-Mail mit einem Bestätigungslink. Als Betrieb verknüpfen Sie Ihr Konto danach mit
Ihrer Betriebsnummer: Den Aktivierungscode dafür schicken wir Ihnen per Post. Weitere
Personen Ihres Betriebs laden Sie im Portal ein.

## Welche Dateien nehmen Sie an?

Das steht bei den [Dateiformaten und Grenzen](/formate/).
""",
    body_en="""\
## I wrote to the chamber by e-mail. Will you answer me electronically too?

Yes. Whoever contacts us electronically – by e-mail, in the customer portal, with the
contact form or in the cloud area – we go on communicating with electronically. We record
since when and through which channel. Exception: where a rule requires paper, we write to
you by post.

You do not want that? Tell us: in the customer portal under
[Communication](/kommunikation/), with the link "No more e-mails" in every notification,
or in a short message. We will then answer you by post.

## Why do you not download files from links in my e-mail?

A link to a download site (WeTransfer, Dropbox, OneDrive, …) leads to content we do not
know and that can change at any time. So we do not download anything from other sites.
Send files of up to {{ portal_mb }} MB in the customer portal; larger files we accept by
arrangement in the cloud area.

## Why do you not accept ZIP files?

An archive can hold any kind of file, nested and encrypted too. We could not check every
file in it as thoroughly as a single one. So send the files one by one; the customer
portal takes several files at once.

## What is a qualified electronic signature, and when do I need one?

A qualified electronic signature (QES) is the electronic form of a handwritten signature
under the EU regulation eIDAS. It is made with a qualified certificate on a secure
signature creation device (for example a signature card or a remote signing service). You
need it only where a rule requires the written form and it is to be replaced
electronically; the procedure then says so. We check every signature in a PDF and show
our staff whether it is valid and qualified.

## Which channel do I use for confidential documents?

The customer portal: it transmits encrypted, and you receive an acknowledgement of
receipt. Very large or particularly sensitive files we accept by arrangement in the cloud
area. Please not by ordinary e-mail – it is unencrypted.

## How do I register for the customer portal?

[Register](/konto/signup/) with your e-mail address and a password and choose whether you
act as a **private person** or for a **business**. You receive an e-mail with a
confirmation link. As a business, you then link your account to your business number:
we send you the activation code for it by post. You invite further people of your
business in the portal.

## Which files do you accept?

See [file formats and limits](/formate/).
""",
)

CONTACT = DefaultPage(
    title_de="Haben Sie noch Fragen? Schreiben Sie uns!",
    title_en="Any questions left? Write to us!",
    body_de="""\
Schreiben Sie uns Ihre Frage; wir leiten sie an den zuständigen Bereich weiter. Unterlagen
und Nachweise senden Sie bitte im [Kundenportal](/konto/login/). Vielleicht steht die
Antwort auch schon bei den [häufigen Fragen](/fragen/).
""",
    body_en="""\
Write us your question; we pass it on to the department in charge. Please send documents
and proofs in the [customer portal](/konto/login/). Perhaps the answer is already among
the [frequently asked questions](/fragen/).
""",
)

PRIVACY = DefaultPage(
    title_de="Datenschutzhinweise",
    title_en="Privacy notice",
    body_de="""\
## Wer ist verantwortlich?

Verantwortlich für die Verarbeitung Ihrer Daten in Kammerpost ist die {{ kammer }}. Unseren
Datenschutzbeauftragten erreichen Sie unter {{ datenschutz_adresse }}.

## Wofür verarbeiten wir Ihre Daten?

- **Ihre Eingänge bearbeiten**: Nachrichten, Formulare und Dokumente, die Sie uns per
  E-Mail, im Kundenportal, über das Kontaktformular oder in der HWK-Cloud senden, leiten
  wir an den zuständigen Bereich und bearbeiten sie dort (Art. 6 Abs. 1 lit. e DSGVO mit
  der Handwerksordnung).
- **Sicherheit**: Wir prüfen jede Datei auf Schadprogramme und verbotene Inhalte und
  speichern sie verschlüsselt.
- **Nachweis**: Wir protokollieren, wer wann welches Dokument geöffnet hat, damit jeder
  Zugriff nachvollziehbar ist – ohne den Inhalt der Dokumente.
- **Ihr Konto im Kundenportal**: Anmeldung, Bestätigung Ihrer E-Mail-Adresse, Zuordnung
  zu Ihrem Betrieb.
- **Ihr Kommunikationswunsch**: Wir halten fest, seit wann und auf welchem Weg Sie mit uns
  elektronisch kommunizieren, und ob Sie widersprochen haben.

## Wie lange speichern wir Ihre Daten?

Eingänge mit ihren Dokumenten und Nachrichten löschen wir nach diesen Fristen; Dokumente
werden dabei unwiederbringlich unlesbar gemacht.

{{ speicherfristen }}

## Ihre Rechte

Sie haben das Recht auf **Auskunft** (Art. 15 DSGVO), **Berichtigung** (Art. 16),
**Löschung** (Art. 17), **Einschränkung der Verarbeitung** (Art. 18),
**Datenübertragbarkeit** (Art. 20) und **Widerspruch** (Art. 21). Der elektronischen
Kommunikation widersprechen Sie jederzeit im Kundenportal unter
[Kommunikation](/kommunikation/) oder über den Link in jeder Benachrichtigung.

So machen Sie Ihre Rechte geltend: Schreiben Sie uns über das
[Kontaktformular](/kontakt/) oder an {{ datenschutz_adresse }}. Sie können sich außerdem
bei der Aufsichtsbehörde für den Datenschutz Ihres Landes beschweren.
""",
    body_en="""\
## Who is responsible?

The {{ kammer }} is responsible for processing your data in Kammerpost. You reach our data
protection officer at {{ datenschutz_adresse }}.

## What do we process your data for?

- **Handling what you send**: messages, forms and documents you send us by e-mail, in the
  customer portal, with the contact form or in the cloud area go to the department in
  charge, which deals with them (Art. 6(1)(e) GDPR with the German Crafts Code).
- **Security**: we check every file for malware and forbidden content and store it
  encrypted.
- **Accountability**: we record who opened which document when, so that every access can
  be traced – without the documents' content.
- **Your customer portal account**: login, confirming your e-mail address, linking you to
  your business.
- **Your communication preference**: we record since when and through which channel you
  communicate with us electronically, and whether you objected.

## How long do we keep your data?

Items with their documents and messages are deleted after these periods; documents are
made irrecoverably unreadable.

{{ speicherfristen }}

## Your rights

You have the right of **access** (Art. 15 GDPR), **rectification** (Art. 16), **erasure**
(Art. 17), **restriction of processing** (Art. 18), **data portability** (Art. 20) and to
**object** (Art. 21). You can object to electronic communication at any time in the
customer portal under [Communication](/kommunikation/) or with the link in every
notification.

How to exercise your rights: write to us with the [contact form](/kontakt/) or to
{{ datenschutz_adresse }}. You may also complain to the data protection supervisory
authority of your federal state.
""",
)

IMPRINT = DefaultPage(
    title_de="Impressum",
    title_en="Imprint",
    body_de="""\
**{{ kammer }}**\
Körperschaft des öffentlichen Rechts

Anschrift: Musterstraße 1, 12345 Musterstadt\
E-Mail: {{ kontakt_adresse }}

Vertreten durch den Präsidenten und den Hauptgeschäftsführer.

Aufsichtsbehörde: das für Handwerk zuständige Ministerium des Landes.

Verantwortlich für den Inhalt: die Hauptgeschäftsführung der {{ kammer }}.
""",
    body_en="""\
**{{ kammer }}**\
Public-law corporation

Address: Musterstraße 1, 12345 Musterstadt, Germany\
E-mail: {{ kontakt_adresse }}

Represented by the president and the chief executive.

Supervisory authority: the state ministry responsible for crafts.

Responsible for the content: the chief executive of the {{ kammer }}.
""",
)

ACCESSIBILITY = DefaultPage(
    title_de="Erklärung zur Barrierefreiheit",
    title_en="Accessibility statement",
    body_de="""\
Die {{ kammer }} will Kammerpost für alle Menschen zugänglich machen. Diese Erklärung gilt
für die öffentlichen Seiten, das Kundenportal und die Eingangsbestätigungen.

## Stand der Vereinbarkeit

Kammerpost soll die Anforderungen der Barrierefreie-Informationstechnik-Verordnung
(BITV 2.0) erfüllen, die auf die WCAG 2.1 (Stufe AA) verweist. Jede Seite wird bei jeder
Änderung automatisch geprüft (axe-core), mit der Tastatur allein bedient und bei 320 Pixel
Breite ohne seitliches Blättern getestet.

## Nicht barrierefreie Inhalte

Dokumente, die Sie oder andere uns senden, prüfen wir nicht auf Barrierefreiheit. Die
Eingangsbestätigung als PDF ist noch nicht vollständig getaggt; dieselben Angaben stehen
barrierefrei auf der Seite der Eingangsbestätigung im Kundenportal.

## Barriere melden: Feedback

Ist Ihnen eine Barriere aufgefallen, oder brauchen Sie einen Inhalt in anderer Form?
Schreiben Sie uns über das [Kontaktformular](/kontakt/) oder an {{ kontakt_adresse }}.
Wir antworten innerhalb von zwei Wochen.

## Schlichtungsverfahren

Erhalten Sie keine zufriedenstellende Antwort, können Sie sich an die Schlichtungsstelle
nach § 16 Behindertengleichstellungsgesetz oder an die Ombudsstelle Ihres Landes wenden.
""",
    body_en="""\
The {{ kammer }} wants Kammerpost to be accessible to everyone. This statement covers the
public pages, the customer portal and the acknowledgements of receipt.

## Compliance status

Kammerpost aims to meet the German accessibility regulation BITV 2.0, which refers to
WCAG 2.1 (level AA). Every page is checked automatically with every change (axe-core),
used with the keyboard alone and tested at 320 pixels width without sideways scrolling.

## Content that is not accessible

We do not check documents that you or others send us for accessibility. The PDF
acknowledgement of receipt is not fully tagged yet; the same details are on the
accessible acknowledgement page in the customer portal.

## Report a barrier: feedback

Have you come across a barrier, or do you need content in another form? Write to us with
the [contact form](/kontakt/) or to {{ kontakt_adresse }}. We answer within two weeks.

## Conciliation

If you do not receive a satisfactory answer, you can turn to the conciliation body under
section 16 of the German Disability Equality Act or to your federal state's ombudsperson.
""",
)

DEFAULT_PAGES: dict[str, DefaultPage] = {
    "start": START,
    "formate": FORMATS,
    "fragen": FAQ,
    "kontakt": CONTACT,
    "datenschutz": PRIVACY,
    "impressum": IMPRINT,
    "barrierefreiheit": ACCESSIBILITY,
}
