"""telesales: catalogue, addresses, carts, orders placed in the portal, price approval, acting operators

Revision ID: 766f804a7d41
Revises: 8734f052f2de
Create Date: 2026-12-04 22:03:41.057328

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '766f804a7d41'
down_revision = '8734f052f2de'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('price_cents', sa.BigInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('sku', name=op.f('uq_products_sku'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index('ix_products_active_name', ['active', 'name'], unique=False)

    op.create_table('customer_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('complement', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=3), nullable=False),
    sa.Column('postal_code', sa.String(length=12), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_customer_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_addresses'))
    )
    with op.batch_alter_table('customer_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customer_addresses_user_id'), ['user_id'], unique=False)

    op.create_table('carts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('shipping_cents', sa.BigInteger(), nullable=False),
    sa.Column('payment_method', sa.String(length=40), nullable=True),
    sa.Column('state', sa.Enum('open', 'placed', 'discarded', name='cartstate', native_enum=False, length=20), nullable=False),
    sa.Column('share_token_hash', sa.String(length=64), nullable=True),
    sa.Column('share_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['customer_addresses.id'], name=op.f('fk_carts_address_id_customer_addresses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_carts_customer_id_users')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_carts_operator_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_carts_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_carts')),
    sa.UniqueConstraint('order_id', name=op.f('uq_carts_order_id')),
    sa.UniqueConstraint('share_token_hash', name=op.f('uq_carts_share_token_hash'))
    )
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carts_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_carts_operator_state', ['operator_id', 'state'], unique=False)

    op.create_table('cart_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cart_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('list_price_cents', sa.BigInteger(), nullable=False),
    sa.Column('unit_price_cents', sa.BigInteger(), nullable=False),
    sa.Column('manual_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['cart_id'], ['carts.id'], name=op.f('fk_cart_items_cart_id_carts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_cart_items_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cart_items')),
    sa.UniqueConstraint('cart_id', 'product_id', name='uq_cart_items_cart_product')
    )
    with op.batch_alter_table('cart_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cart_items_cart_id'), ['cart_id'], unique=False)

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_entries_on_behalf_of_id'), ['on_behalf_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entries_on_behalf_of_id_users'), 'users', ['on_behalf_of_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_price', sa.Numeric(precision=12, scale=2), nullable=True))
        batch_op.add_column(sa.Column('manual_price_reason', sa.String(length=300), nullable=True))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_in_portal', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('placed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('placed_by_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('price_approval', sa.Enum('none', 'pending', 'approved', 'rejected', name='priceapproval', native_enum=False, length=20), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('price_decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('price_decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('price_decision_note', sa.String(length=500), nullable=True))
        batch_op.create_index('ix_orders_placed', ['placed_at'], unique=False)
        batch_op.create_index('ix_orders_placed_by_email', ['placed_by_email'], unique=False)
        batch_op.create_index('ix_orders_portal_placed', ['created_in_portal', 'placed_at'], unique=False)
        batch_op.create_index('ix_orders_price_approval', ['price_approval', 'placed_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_orders_placed_by_id_users'), 'users', ['placed_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_orders_price_decided_by_id_users'), 'users', ['price_decided_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('store_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manual_price_ceiling_cents', sa.BigInteger(), server_default='10000000', nullable=False))
        batch_op.add_column(sa.Column('cart_link_days', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('backoffice_url', sa.String(length=2048), server_default='', nullable=False))
        batch_op.add_column(sa.Column('backoffice_secret', sa.String(length=200), server_default='', nullable=False))

    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('operator_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ticket_messages_operator_id_users'), 'users', ['operator_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_by_operator_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tickets_opened_by_operator_id_users'), 'users', ['opened_by_operator_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('can_approve_prices', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_users_document'), ['document'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_document'))
        batch_op.drop_column('can_approve_prices')
        batch_op.drop_column('phone')
        batch_op.drop_column('document')

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tickets_opened_by_operator_id_users'), type_='foreignkey')
        batch_op.drop_column('opened_by_operator_id')

    with op.batch_alter_table('ticket_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ticket_messages_operator_id_users'), type_='foreignkey')
        batch_op.drop_column('operator_id')

    with op.batch_alter_table('store_settings', schema=None) as batch_op:
        batch_op.drop_column('backoffice_secret')
        batch_op.drop_column('backoffice_url')
        batch_op.drop_column('cart_link_days')
        batch_op.drop_column('manual_price_ceiling_cents')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_orders_price_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_orders_placed_by_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_orders_price_approval')
        batch_op.drop_index('ix_orders_portal_placed')
        batch_op.drop_index('ix_orders_placed_by_email')
        batch_op.drop_index('ix_orders_placed')
        batch_op.drop_column('price_decision_note')
        batch_op.drop_column('price_decided_at')
        batch_op.drop_column('price_decided_by_id')
        batch_op.drop_column('price_approval')
        batch_op.drop_column('placed_by_email')
        batch_op.drop_column('placed_by_id')
        batch_op.drop_column('created_in_portal')

    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_column('manual_price_reason')
        batch_op.drop_column('list_price')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_entries_on_behalf_of_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_audit_entries_on_behalf_of_id'))
        batch_op.drop_column('on_behalf_of_id')

    with op.batch_alter_table('cart_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cart_items_cart_id'))

    op.drop_table('cart_items')
    with op.batch_alter_table('carts', schema=None) as batch_op:
        batch_op.drop_index('ix_carts_operator_state')
        batch_op.drop_index(batch_op.f('ix_carts_customer_id'))

    op.drop_table('carts')
    with op.batch_alter_table('customer_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_addresses_user_id'))

    op.drop_table('customer_addresses')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_active_name')

    op.drop_table('products')
    
