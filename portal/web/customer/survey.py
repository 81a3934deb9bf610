"""The satisfaction survey: from the e-mail's signed link (no sign-in) or on the shopper's closed ticket."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import access
from ...core.error_pages import error_response
from ...core.errors import DomainError
from ...extensions import db
from ...tickets import survey as surveys
from ...tickets.survey import MAX_COMMENT
from ..ticket_forms import MessageForm, SurveyForm, csrf_failed
from . import bp
from .serving import operator as acting_operator
from .tickets import attach_error, thread_page

HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _gone(error: DomainError):
    response, status = error_response(error.status_code, error.code, str(error.message))
    return response, status, HEADERS


def _form_page(survey, form, token: str | None, code: int = 200):
    return render_template("customer/survey.html", survey=survey, ticket=survey.ticket, form=form, token=token,
                           max_comment=MAX_COMMENT), code, HEADERS


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str):
    """Ask the question of the link, or record its answer; the token allows this and nothing else."""
    try:
        found = surveys.from_token(token)
        surveys.check_open(found)
    except DomainError as error:
        return _gone(error)
    form = SurveyForm()
    if request.method == "GET":
        chosen = request.args.get("rating", "")
        if chosen in {str(value) for value in surveys.RATINGS}:
            form.rating.data = chosen
        return _form_page(found, form, token)
    if not form.validate_on_submit():
        form.form_errors.append(_("The form expired. Please try again."))
        return _form_page(found, form, token, 400 if csrf_failed(form) else 422)
    try:
        surveys.answer(found, form.rating.data, form.comment.data)
    except DomainError as error:
        db.session.rollback()
        if error.status_code in (409, 410):
            return _gone(error)
        attach_error(form, error)
        return _form_page(found, form, token, error.status_code)
    db.session.commit()
    return render_template("customer/survey_thanks.html", ticket=found.ticket), 200, HEADERS


@bp.route("/tickets/<ticket_number>/survey", methods=["POST"])
def ticket_survey(ticket_number: str):
    """Answer the question on the shopper's own closed ticket; an operator serving them cannot answer for them."""
    ticket = access.get_ticket_or_404(ticket_number, g.customer)
    access.require_customer_of(g.customer, ticket.customer_id)
    if acting_operator() is not None:
        abort(403)
    form = SurveyForm()
    found = surveys.pending(ticket)
    if found is None:
        flash(_("This ticket has no question waiting for an answer."), "error")
        return redirect(url_for(".ticket", ticket_number=ticket.number)), 303
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".ticket", ticket_number=ticket.number)), 303
    try:
        surveys.answer(found, form.rating.data, form.comment.data)
    except DomainError as error:
        db.session.rollback()
        if error.status_code in (409, 410):
            flash(str(error.message), "error")
            return redirect(url_for(".ticket", ticket_number=ticket.number)), 303
        attach_error(form, error)
        return thread_page(ticket, MessageForm(formdata=None), error.status_code, survey_form=form)
    db.session.commit()
    flash(_("Thank you for your answer!"), "success")
    return redirect(url_for(".ticket", ticket_number=ticket.number, _anchor="survey"))
