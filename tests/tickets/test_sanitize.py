"""Message HTML: XSS payloads come out inert, ordinary formatting and links survive, text parts read well."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from portal.tickets.sanitize import ALLOWED_TAGS, clean_message_html, plain_text, text_to_html


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_inert(html: str) -> None:
    """Fail unless every element and attribute in the output is on the allow-list."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        allowed = {"href", "title", "rel", "target"} if tag == "a" else set()
        assert set(attrs) <= allowed, (tag, attrs, html)
        if tag == "a":
            assert urlsplit(attrs["href"]).scheme in {"http", "https", "mailto"}, html
            assert attrs["rel"] == "nofollow noopener"
    lowered = html.lower()
    for marker in ("<script", "<svg", "<img", "<iframe", "<style", "<object", "<embed", "<math", "<form"):
        assert marker not in lowered, html


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=&#97;lert(1)>",
    '<IMG SRC="javascript:alert(1);">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jAvAsCrIpT:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="//evil.example/">protocol-relative</a>',
    '<a href="https://ok.example/" onclick="alert(1)" onmouseover="alert(1)">ok</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="position:fixed;inset:0">overlay</div>',
    "<body onload=alert(1)>",
    '<form action="https://evil.example/"><input name=password></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<img src=x onerror=alert(1)",                     # unclosed tag
    "<a href='javascript:alert(1)'",                  # unclosed attribute
    "<p>open paragraph <strong>never closed",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<base href=\"javascript:alert(1)//\">",
    '<details open ontoggle=alert(1)>',
    '"><script>alert(1)</script>',
    "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)",
    '<a href="https://ok.example/" target="_self" rel="opener">x</a>',
    '<code onclick="alert(1)">x</code>',
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_come_out_inert(payload):
    cleaned = clean_message_html(payload)
    assert_inert(cleaned)
    assert clean_message_html(cleaned) == cleaned  # cleaning is stable


@pytest.mark.parametrize("text, expected", [
    ("Hello", "<p>Hello</p>"),
    ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ("first\r\n\r\nsecond", "<p>first</p><p>second</p>"),
    ("a\n  \n\n b", "<p>a</p><p>b</p>"),
    ("<p>already</p>\n<p>html</p>", "<p>already</p>\n<p>html</p>"),
    ("", ""),
    ("  \n ", ""),
])
def test_textarea_line_breaks_become_paragraphs(text, expected):
    assert text_to_html(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Olá, <strong>obrigado</strong> e <em>até logo</em>!",
     "<p>Olá, <strong>obrigado</strong> e <em>até logo</em>!</p>"),
    ("<ul><li>um</li><li>dois</li></ul>", "<ul><li>um</li><li>dois</li></ul>"),
    ("<ol><li>um</li></ol><blockquote>citação</blockquote>", "<ol><li>um</li></ol><blockquote>citação</blockquote>"),
    ("<pre>  x = 1\n  y = 2</pre>", "<pre>  x = 1\n  y = 2</pre>"),
    ("use <code>git status</code>", "<p>use <code>git status</code></p>"),
    ("2 < 3 & 4 > 1", "<p>2 &lt; 3 &amp; 4 &gt; 1</p>"),
    ("<b>bold</b> <span>plain</span> <div>block</div>", "<p>bold plain \nblock</p>"),
    ("<img src=x onerror=alert(1)>", ""),
])
def test_formatting_is_kept_and_other_tags_stripped(text, expected):
    assert clean_message_html(text) == expected


@pytest.mark.parametrize("text, href", [
    ("see https://loja.com.br/pedido/123?x=1&y=2 now", "https://loja.com.br/pedido/123?x=1&y=2"),
    ("see http://loja.com.br/", "http://loja.com.br/"),
    ("see www.loja.com.br please", "http://www.loja.com.br"),
    ('<a href="https://loja.com.br/">our shop</a>', "https://loja.com.br/"),
    ('<a href="HTTPS://LOJA.EXAMPLE/">shop</a>', "HTTPS://LOJA.EXAMPLE/"),
    ("write to sac@loja.com.br", "mailto:sac@loja.com.br"),
    ('<a href="mailto:sac@loja.com.br">mail us</a>', "mailto:sac@loja.com.br"),
])
def test_links_are_kept_or_made_and_open_safely(text, href):
    cleaned = clean_message_html(text)
    assert_inert(cleaned)
    links = [attrs for tag, attrs in elements(cleaned) if tag == "a"]
    assert len(links) == 1
    assert links[0]["href"] == href
    assert links[0]["rel"] == "nofollow noopener"
    assert links[0].get("target") == (None if href.startswith("mailto:") else "_blank")


@pytest.mark.parametrize("text", [
    '<a href="javascript:alert(1)">click here</a>',
    '<a href="ftp://files.example/x">click here</a>',
    '<a href="/relative">click here</a>',
    "<a>click here</a>",
])
def test_links_with_other_schemes_become_plain_text(text):
    assert clean_message_html(text) == "<p>click here</p>"


def test_urls_inside_code_are_not_linked():
    cleaned = clean_message_html("<pre>curl https://api.example/</pre>")
    assert "<a" not in cleaned


def test_none_and_empty_are_empty():
    assert clean_message_html(None) == ""
    assert plain_text(None) == ""
    assert plain_text("") == ""


@pytest.mark.parametrize("html, expected", [
    ("<p>Olá,</p><p>seu pedido saiu.</p>", "Olá,\n\nseu pedido saiu."),
    ("<p>one<br>\ntwo</p>", "one\ntwo"),
    ("<ul><li>um</li><li>dois</li></ul>", "- um\n- dois"),
    ('<p>see <a href="https://x.example/a">our page</a></p>', "see our page (https://x.example/a)"),
    ('<p><a href="https://x.example/a">https://x.example/a</a></p>', "https://x.example/a"),
    ('<p><a href="http://www.x.example">www.x.example</a></p>', "www.x.example"),
    ('<p><a href="mailto:a@x.example">a@x.example</a></p>', "a@x.example"),
    ("<p>2 &lt; 3 &amp;&amp; &quot;ok&quot;</p>", '2 < 3 && "ok"'),
    ("<pre>  indented\n    more</pre>", "  indented\n    more"),
    ("<blockquote>quoted</blockquote><p>answer</p>", "quoted\n\nanswer"),
    ("<p>a    b\n c</p>", "a b c"),
    ("<script>alert(1)</script><style>p{}</style><p>text</p>", "text"),
])
def test_plain_text(html, expected):
    assert plain_text(html) == expected


def test_plain_text_of_a_cleaned_textarea_message_round_trips():
    text = "Olá Maria,\n\nseu pedido 123 foi enviado.\nRastreio: https://rastreio.example/AB123\n\nAbraços"
    assert plain_text(clean_message_html(text)) == text


def test_cleaning_from_many_threads_at_once_gives_each_its_own_result():
    from concurrent.futures import ThreadPoolExecutor

    bodies = [f"<p>Pedido {n} <script>x()</script><a href='javascript:y()'>aqui</a> https://loja{n}.example.com</p>"
              + "<p>texto</p>" * (n % 7) for n in range(400)]
    # Longer than what is kept, so that every call really parses: the threads share nothing but the rules.
    bodies = [body + " " * 17_000 for body in bodies]
    expected = [clean_message_html(body) for body in bodies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(clean_message_html, bodies)) == expected
    assert all("script" not in text and "javascript" not in text for text in expected)
    assert "https://loja399.example.com" in expected[399]
