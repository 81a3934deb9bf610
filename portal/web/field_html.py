"""Form fields written out in Python, for pages that render many of them on every view.

The ticket workspace shows a dozen fields (the reply and every action form) on each request. Through
WTForms' widgets and the `field` macro each one costs a Jinja macro call and a `Markup.format` per HTML
attribute. These functions give the same markup as `_macros/forms.html` and the staff macros, attribute
order included (sorted, as WTForms writes them), for the widgets those forms use; any other widget, or a
field with `render_kw`, is drawn by WTForms itself.
"""
from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.widgets.core import clean_key

# The widgets written out here; a subclass might render differently, so the match is exact.
INPUTS = (widgets.TextInput, widgets.NumberInput, widgets.HiddenInput, widgets.EmailInput, widgets.PasswordInput)
QUOTE = '"'


def attributes(values: dict) -> str:
    """Serialise HTML attributes the way WTForms' html_params does: sorted, True bare, False left out."""
    parts = []
    for key, value in sorted(values.items()):
        if value is False:
            continue
        key = clean_key(key)
        if value is True:
            parts.append(key)
            continue
        text = str.__str__(escape(value))  # a plain str: Markup's own methods would escape their arguments
        parts.append(f'{key}="{text.replace(QUOTE, "&quot;")}"')  # a Markup value keeps its quotes otherwise
    return " ".join(parts)


def _flags(field, names, values: dict) -> None:
    """Add the validation flags the widget would copy from the field (required, maxlength, ...)."""
    flags = vars(field.flags)
    for name in names:
        if name in flags and name not in values:
            value = flags[name]
            values[name] = value() if callable(value) else value


def control(field, **values) -> Markup:
    """Return the field's control (input, textarea or select) as its WTForms widget would draw it."""
    widget = field.widget
    kind = type(widget)
    if getattr(field, "render_kw", None) or getattr(field, "_datalist", None) is not None:
        return field(**values)
    values.setdefault("id", field.id)
    if kind in INPUTS:
        if kind is widgets.NumberInput:
            for name in ("step", "min", "max"):
                if getattr(widget, name) is not None:
                    values.setdefault(name, getattr(widget, name))
        values.setdefault("type", widget.input_type)
        if "value" not in values:
            values["value"] = field._value()
        _flags(field, widget.validation_attrs, values)
        values["name"] = field.name
        return Markup(f"<input {attributes(values)}>")  # noqa: S704 - every value is escaped by attributes()
    if kind is widgets.TextArea:
        _flags(field, widget.validation_attrs, values)
        values["name"] = field.name
        return Markup(f"<textarea {attributes(values)}>\r\n{escape(field._value())}</textarea>")  # noqa: S704
    if kind is widgets.Select and not widget.multiple and not field.has_groups():
        _flags(field, widget.validation_attrs, values)
        values["name"] = field.name
        options = []
        for choice in field.iter_choices():
            if choice.render_kw:
                return field(**{k: v for k, v in values.items() if k != "name"})
            value = str(choice.value) if isinstance(choice.value, bool) else choice.value
            option = {"value": value, "selected": True} if choice.selected else {"value": value}
            options.append(f"<option {attributes(option)}>{escape(choice.label or choice.value)}</option>")
        return Markup(f"<select {attributes(values)}>{''.join(options)}</select>")  # noqa: S704
    values.pop("id")
    return field(**values)


def label(field, for_: str, **values) -> str:
    values["for"] = for_
    return f"<label {attributes(values)}>{escape(field.label.text)}</label>"


def errors_list(field, fid: str) -> str:
    items = "\n".join(f"<li>{escape(error)}</li>" for error in field.errors)
    return f'<ul class="field__errors" id="{escape(fid)}-error">\n{items}\n</ul>'


def field_html(field, hint=None, **values) -> Markup:
    """Return a field with its label, optional hint and errors: the `field` macro of `_macros/forms.html`."""
    fid = values.get("id", field.id)
    described = []
    if hint:
        described.append(f"{fid}-hint")
    if field.errors:
        described.append(f"{fid}-error")
    parts = [f'<div class="field{" field--invalid" if field.errors else ""}">',
             label(field, fid, class_="field__label")]
    if hint:
        parts.append(f'<p class="field__hint" id="{escape(fid)}-hint">{escape(hint)}</p>')
    parts.append(control(field, class_="field__input", aria_describedby=" ".join(described) if described else False,
                         aria_invalid="true" if field.errors else False, required=bool(field.flags.required), **values))
    if field.errors:
        parts.append(errors_list(field, fid))
    parts.append("</div>")
    return Markup("\n".join(parts))  # noqa: S704 - every piece above is escaped


def radios_html(field) -> Markup:
    """Return a radio group in its fieldset: the `radios` macro of the staff templates."""
    if field.validators or getattr(field, "render_kw", None):
        options = [f'<div class="choice">{option()} {option.label()}</div>' for option in field]
    else:
        options = []
        for index, choice in enumerate(field.iter_choices()):
            oid = f"{field.id}-{index}"
            values = {"id": oid, "type": "radio", "value": str(choice.value), "name": field.name,
                      "checked": bool(choice.selected)}
            options.append(f'<div class="choice"><input {attributes(values)}> '
                           f'<label for="{escape(oid)}">{escape(choice.label or choice.value)}</label></div>')
    invalid = " field--invalid" if field.errors else ""
    errors = ("\n<ul class=\"field__errors\">" + "".join(f"<li>{escape(e)}</li>" for e in field.errors) + "</ul>"
              if field.errors else "")
    return Markup(f'<fieldset class="choice-group{invalid}">\n<legend>{escape(field.label.text)}</legend>\n'  # noqa: S704
                  + "\n".join(options) + errors + "\n</fieldset>")
