"""Forms of the telesales pages; amounts stay text here and are parsed by the domain (reais to cents)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class AddItemForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[InputRequired(), Length(max=80)])
    quantity = StringField(_l("Quantity"), default="1", validators=[InputRequired(), Length(max=6)])


class QuantityForm(FlaskForm):
    quantity = StringField(_l("Quantity"), validators=[InputRequired(), Length(max=6)])


class PriceForm(FlaskForm):
    price = StringField(_l("New price (R$)"), validators=[InputRequired(), Length(max=20)])
    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=300)])


class DetailsForm(FlaskForm):
    address = SelectField(_l("Delivery address"), choices=[], validate_choice=False)
    shipping = StringField(_l("Shipping (R$)"), default="0,00", validators=[Length(max=20)])
    payment_method = SelectField(_l("Payment method"), choices=[], validate_choice=False)


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Why are the prices rejected?"), validators=[InputRequired(), Length(max=500)])


class ShareForm(FlaskForm):
    email_customer = BooleanField(_l("Send the link to the customer by e-mail"), default=True)
