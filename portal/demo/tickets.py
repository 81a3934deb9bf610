"""Demo tickets: channel SLAs, text modules and a ticket in every situation of the queue."""
from datetime import timedelta
from decimal import Decimal

from ..extensions import db
from ..models import Channel, Order, TextModule, Ticket, TicketMessage, TicketReason, TicketSurvey, User, Visibility
from ..tickets import lifecycle as tickets
from ..tickets import sla
from ..tickets import survey as surveys
from ..tickets.common import store_calendar

TEXT_MODULES = (
    (None, "Prazo de entrega",
     "Olá, {cliente}! Seu pedido {pedido} foi enviado e pode ser acompanhado pelo código {rastreio}. "
     "A previsão de entrega é {previsao_entrega}. Qualquer dúvida, responda este ticket."),
    (None, "Encerramento",
     "Olá, {cliente}! Como não tivemos retorno, vamos encerrar o ticket {ticket}. Se precisar, é só responder."),
    ("amazon", "Troca pela Amazon",
     "Olá, {cliente}! Para trocar o item do pedido {pedido_marketplace}, abra a solicitação de devolução na "
     "Amazon e informe o ticket {ticket}."),
    ("mercado_livre", "Reembolso Mercado Livre",
     "Olá, {cliente}! O reembolso do pedido {pedido_marketplace} foi solicitado e aparece em até 5 dias úteis."),
)


def _age(ticket: Ticket, hours: int) -> None:
    """Move the ticket's story `hours` into the past, as if it had been opened then."""
    delta = timedelta(hours=hours)
    ticket.created_at -= delta
    ticket.open_since -= delta
    for message in db.session.scalars(db.select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)):
        message.created_at -= delta
    for event in ticket.events:
        event.created_at -= delta
    if ticket.first_response_at is not None:
        ticket.first_response_at -= delta
    if ticket.closed_at is not None:
        ticket.closed_at -= delta
    for survey in db.session.scalars(db.select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id)):
        survey.asked_at -= delta
        survey.expires_at -= delta
        if survey.answered_at is not None:
            survey.answered_at -= delta
    if ticket.due_at is not None:
        ticket.due_at = sla.due_at(ticket.open_since, ticket.channel.sla_hours, ticket.channel.sla_working_days,
                                   store_calendar())


# The demo's late order (portal/demo/data.py): its expected delivery date has passed.
LATE_ORDER = 10240


def _order(number: int) -> Order:
    return db.session.scalar(db.select(Order).where(Order.number == str(number)))


def load_demo_tickets(users: dict[str, User]) -> None:
    """Set the channels' SLAs, add text modules and tickets in each status (one forwarded, one escalated)."""
    for channel in db.session.scalars(db.select(Channel)):
        channel.sla_hours, channel.sla_working_days = (24, False) if channel.is_marketplace else (48, True)
    codes = {c.code: c.id for c in db.session.scalars(db.select(Channel))}
    for position, (code, title, body) in enumerate(TEXT_MODULES):
        db.session.add(TextModule(channel_id=codes.get(code), title=title, body=body, position=position))
    reasons = {r.code: r.id for r in db.session.scalars(db.select(TicketReason))}
    maria, joao = users["maria@demo.test"], users["joao@demo.test"]
    agent, operator = users["agente@demo.test"], users["operador@demo.test"]

    fresh = tickets.open_ticket(_order(10233), maria, reasons["onde_esta_meu_pedido"], "Pedido ainda não chegou",
                                "Olá, o rastreio não muda há três dias. Podem verificar?")
    tickets.reply_as_staff(fresh, agent, "Abrindo chamado com os Correios.", Visibility.internal,
                           expected_version=fresh.version)
    _age(fresh, 2)

    overdue = tickets.create_channel_ticket(_order(10234), _order(10234).channel, "Cliente pergunta pela entrega",
                                            "Comprador informa que o prazo venceu.", "ML-88231")
    _age(overdue, 30)

    forwarded = tickets.create_channel_ticket(_order(10235), _order(10235).channel, "Troca de tamanho",
                                              "O tênis ficou pequeno, quero trocar pelo 42.", "AMZ-55120")
    tickets.forward_ticket(forwarded, agent, operator, "Cliente VIP, por favor priorizar.",
                           expected_version=forwarded.version)
    _age(forwarded, 20)

    waiting = tickets.open_ticket(_order(10231), maria, reasons["nota_fiscal"], "Nota fiscal",
                                  "Preciso da nota fiscal para a garantia.")
    tickets.reply_as_staff(waiting, agent, "A nota fiscal está disponível na página do pedido.",
                           Visibility.customer, expected_version=waiting.version)
    _age(waiting, 26)

    escalated = tickets.create_channel_ticket(_order(10238), _order(10238).channel, "Estorno no cartão",
                                              "O estorno não apareceu na fatura do cartão.", "B2W-7781")
    tickets.escalate_ticket(escalated, agent, "payments", "Estorno depende da operadora do marketplace.",
                            expected_version=escalated.version)
    _age(escalated, 50)

    closed = tickets.open_ticket(_order(10237), maria, reasons["produto_com_defeito"], "Camiseta com defeito",
                                 "Uma das camisetas veio com a costura aberta.")
    tickets.refund(closed, agent, Decimal("59.90"), "Peça com defeito, cliente ficou com o produto.",
                   expected_version=closed.version)
    tickets.reply_as_staff(closed, agent, "Fizemos o reembolso de uma camiseta. Desculpe o transtorno!",
                           Visibility.customer, expected_version=closed.version)
    tickets.close_ticket(closed, agent)
    _age(closed, 24 * 6)

    tickets.open_ticket(_order(10329), joao, reasons["troca_ou_devolucao"], "Quero devolver",
                        "Me arrependi da compra, como faço a devolução?")
    late = tickets.open_ticket(_order(LATE_ORDER), maria, reasons["onde_esta_meu_pedido"], "Pedido atrasado",
                               "A previsão de entrega já passou e o pedido não chegou.")
    _age(late, 5)
    db.session.flush()
    _history(users, reasons)


# A month of answered and closed tickets, so that the service-performance page has something to show:
# (days ago, hours to the first answer, who answers, rating or None).
HISTORY = [(days, hours, who, rating) for days, hours, who, rating in (
    (29, 3, "agente", 5), (28, 20, "agente", 4), (27, 1, "operador", 5), (26, 50, "agente", 2),
    (25, 5, "admin", 4), (24, 2, "agente", 5), (22, 30, "operador", 3), (21, 4, "agente", 5),
    (20, 8, "agente", None), (19, 1, "operador", 4), (18, 60, "agente", 1), (17, 6, "admin", 5),
    (15, 2, "agente", 4), (14, 12, "operador", 5), (13, 3, "agente", None), (12, 26, "agente", 4),
    (11, 2, "operador", 5), (10, 7, "agente", 3), (8, 1, "agente", 5), (7, 40, "operador", 2),
    (6, 4, "agente", 5), (5, 2, "admin", 4), (4, 9, "agente", 5), (3, 1, "operador", None),
)]
HISTORY_SUBJECTS = ("Prazo de entrega", "Nota fiscal", "Troca de tamanho", "Produto com defeito",
                    "Pagamento não confirmado", "Endereço de entrega")


def _history(users: dict[str, User], reasons: dict[str, int]) -> None:
    """Open, answer, close and rate tickets spread over the last month, on the shoppers' store orders."""
    staff = {"agente": users["agente@demo.test"], "operador": users["operador@demo.test"],
             "admin": users["admin@demo.test"]}
    shoppers = [users["maria@demo.test"], users["joao@demo.test"]]
    orders = [order for order in db.session.scalars(
        db.select(Order).where(Order.customer_id.in_([u.id for u in shoppers])).order_by(Order.id))
        if order.channel.code == Channel.STORE_CODE] or list(db.session.scalars(db.select(Order).limit(5)))
    reason_ids = sorted(reasons.values())
    for n, (days, hours, who, rating) in enumerate(HISTORY):
        order = orders[n % len(orders)]
        agent = staff[who]
        ticket = tickets.open_ticket(order, order.customer, reason_ids[n % len(reason_ids)],
                                     HISTORY_SUBJECTS[n % len(HISTORY_SUBJECTS)], "Podem me ajudar, por favor?")
        ticket.assignee_id = agent.id
        db.session.flush()
        tickets.reply_as_staff(ticket, agent, "Verificamos e está tudo certo. Obrigado pelo contato!",
                               Visibility.customer, expected_version=ticket.version)
        tickets.close_ticket(ticket, agent)
        if rating is not None and (survey := surveys.pending(ticket)) is not None:
            surveys.answer(survey, rating, "Atendimento rápido." if rating >= 4 else "Demorou para responder.")
        # The first answer came `hours` after the opening: move the opening back by that much more.
        _age(ticket, days * 24)
        earlier = timedelta(hours=hours)
        ticket.created_at -= earlier
        ticket.open_since -= earlier
        opening = db.session.scalars(db.select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
                                     .order_by(TicketMessage.id)).first()
        opening.created_at -= earlier
        ticket.events[0].created_at -= earlier
        ticket.first_response_seconds = int(sla.working_time_between(
            ticket.created_at, ticket.first_response_at, store_calendar()).total_seconds()) \
            if ticket.channel.sla_working_days else hours * 3600
    db.session.flush()
