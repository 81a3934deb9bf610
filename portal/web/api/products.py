"""Views of the API blueprint: the catalogue the back office pushes, one product or up to 500 at once."""
import re

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError

from ...core import races
from ...core.errors import ValidationError
from ...extensions import db
from ...models import Product
from ...telesales import catalogue
from . import bp
from .schemas.products import ProductInput, ProductsInput, ProductsWritten, ProductWritten
from .serializers import iso, store_timezone
from .spec import PATH_TEXT, WRITE_ERRORS, operation

SKU = {"sku": ("The product's SKU.", 80)}


def product_json(product: Product, created: bool | None = None, changed: bool | None = None) -> dict:
    """Describe the product the way the API answers; with `created`, say what the write did."""
    zone = store_timezone()
    body = {
        "sku": product.sku, "name": product.name, "price": catalogue.cents_text(product.price_cents),
        "active": product.active, "stock": product.stock,
        "created_at": iso(product.created_at, zone), "updated_at": iso(product.updated_at, zone),
    }
    if created is not None:
        body.update(created=created, changed=changed)
    return body


def _path_sku(sku: str) -> str:
    if not 0 < len(sku) <= 80 or not re.fullmatch(PATH_TEXT, sku):
        raise ValidationError(_("Expected a SKU of 1 to 80 printable characters without surrounding spaces."),
                              field="sku")
    return sku


def _retrying(write):
    """Run the write and commit; a simultaneous request that created the same SKU first makes it run again."""
    try:
        result = write()
        db.session.commit()
    except (IntegrityError, OperationalError) as error:
        if not races.lost_a_race(error):
            raise
        races.start_over()
        result = write()
        db.session.commit()
    return result


@bp.put("/products/<sku>")
@operation("putProduct", "Create or replace a product (idempotent)", body=ProductInput, path_parameters=SKU,
           checked_path_parameters=("sku",),
           responses={200: (ProductWritten, "Updated, or unchanged."), 201: (ProductWritten, "Created.")},
           errors=WRITE_ERRORS)
def put_product(sku: str, body: ProductInput):
    """Create the product or replace it with the body; the same body again changes nothing."""
    sku = _path_sku(sku)
    if body.sku is not None and body.sku != sku:
        raise ValidationError(_("The SKU in the body differs from the one in the address."), field="sku")
    data = body.to_data(sku)
    result = _retrying(lambda: catalogue.upsert_product(data))
    return jsonify(product_json(result.product, result.created, result.changed)), 201 if result.created else 200


@bp.put("/products")
@operation("putProducts", "Create or replace up to 500 products, all or none", body=ProductsInput,
           responses={200: (ProductsWritten, "Every product written (or unchanged).")}, errors=WRITE_ERRORS,
           description="A wrong product rejects the whole request; the error's `field` names it, such as "
                       "`products[3].price`.")
def put_products(body: ProductsInput):
    """Write every product of the list, or none of them."""
    rows = []
    for index, item in enumerate(body.products):
        try:
            rows.append(item.to_data(item.sku))
        except ValidationError as error:
            raise ValidationError(error.message, field=f"products[{index}].{error.field}") from None
    results = _retrying(lambda: catalogue.upsert_products(rows))
    return jsonify({
        "products": [product_json(r.product, r.created, r.changed) for r in results],
        "created": sum(r.created for r in results),
        "updated": sum(r.changed and not r.created for r in results),
        "unchanged": sum(not r.changed for r in results),
    })
