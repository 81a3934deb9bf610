"""Cut the quoted history and the signature off an e-mail reply, leaving what the shopper wrote.

mail-parser-reply recognises the "On ... wrote:" lines, Outlook header blocks and signatures of many mail
programs and languages. It has no Portuguese, the store's main language, so its table gets one here.
"""
from mailparser_reply import constants
from mailparser_reply.parser import EmailMessage

_Q = constants.QUOTED_MATCH_INCLUDE

# The same shapes as the library's Spanish entry, in the words Gmail, Outlook and phones use in Brazil.
PORTUGUESE = {
    # Gmail: "Em seg., 7 de dez. de 2026 às 10:00, Loja <suporte@loja.com.br> escreveu:", maybe over two lines.
    "wrote_header": r"^(?!Em[.\s]*Em\s(.+?\s?.+?)\sescreveu:)(" + _Q + r"Em\s(?:.+?\s?.+?)\s?escreveu:)$",
    # Outlook: "De: ...", "Enviado: ...", "Para: ...", "Assunto: ..." (two or more of them).
    "from_header": r"((?:(?:^|\n|\n" + _Q
                   + r")[* ]*(?:De|Enviado|Enviada|Para|Assunto|Data|Cc|CC):[ *]*(?:\s{,2}).*){2,}(?:\n.*){,1})",
    "disclaimers": ["Aviso de confidencialidade:", "Aviso legal:"],
    "signatures": ["Atenciosamente", "Att,", "Att\\.", "Abraços,", "Cordialmente,"],
    "sent_from": r"Enviado do meu.*|Enviado de meu.*|Enviado do (?:Outlook|Email|E-mail).*",
}
constants.MAIL_LANGUAGES.setdefault("pt", PORTUGUESE)

# Every language the store writes in; English is added by the library itself.
LANGUAGES = ("pt", "de", "fr", "cs")


def latest_reply(text: str) -> str:
    """Return the newest part of an e-mail's text: no quoted history, no signature ('' when nothing is left)."""
    if not text or not text.strip():
        return ""
    # Hyphen lists ("- item") are the shopper's words, not a signature.
    parsed = EmailMessage(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    # A first part with a header is already the quoted mail: the shopper wrote nothing above it.
    if not parsed.replies or parsed.replies[0].headers:
        return ""
    lines = parsed.replies[0].body.strip().split("\n")
    # A quote with no "wrote:" line before it ("> ...") is history too when it ends the mail.
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    return "\n".join(lines).strip()
