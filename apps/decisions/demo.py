"""Demo data: categories, guardrails, values, trust statements and ~6 weeks of stories in English, Spanish and Dutch."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import Category, CompanyValue, Decision, Guardrail, TeamGuardrail, TrustStatement
from .services import decision_submit

CATEGORIES = [
    # slug, English, Spanish, Dutch, limit, in scope, out of scope
    (
        "fee-waiver",
        "Fee waiver",
        "Exención de cargos",
        "Kwijtschelding van kosten",
        "50",
        "Waive a late fee when our own systems or letters caused the delay\nWaive a reconnection fee for a long-standing customer",
        "Waive a fee that a court or regulator imposed\nPromise to waive future fees",
    ),
    (
        "upgrade",
        "Upgrade",
        "Mejora",
        "Upgrade",
        "75",
        "Upgrade a room or seat when the one booked is not ready\nOffer the next plan up for a month after an outage",
        "Upgrade permanently without a contract change\nUpgrade to get a better review",
    ),
    (
        "refund-credit",
        "Refund or credit",
        "Reembolso o abono",
        "Terugbetaling of tegoed",
        "50",
        "Credit a billing error in full\nRefund a delivery charge when the parcel arrived late",
        "Refund outside the payment method used\nRefunds for a whole group of customers",
    ),
    (
        "goodwill",
        "Goodwill gesture",
        "Gesto de buena voluntad",
        "Gebaar van goede wil",
        "30",
        "A voucher after a long wait on the phone\nFlowers or a card after a bereavement",
        "Cash payments\nGestures in exchange for withdrawing a complaint",
    ),
    (
        "rule-exception",
        "Deadline or rule exception",
        "Excepción de plazo o norma",
        "Uitzondering op termijn of regel",
        "40",
        "Accept a return a few days after the deadline\nStretch a closing or check-out time",
        "Exceptions to safety or legal rules\nExceptions that change a contract",
    ),
    (
        "replacement",
        "Replacement",
        "Reposición",
        "Vervanging",
        "60",
        "Ship a replacement before the faulty item comes back\nReplace a lost order once the carrier confirms the loss",
        "Replace an item damaged by the customer on purpose\nReplacements above the original order's value",
    ),
    ("other", "Other", "Otro", "Overig", "25", "", ""),
]
# The same examples for Spanish and Dutch readers: slug → (in scope, out of scope) per language.
EXAMPLES = {
    "fee-waiver": {
        "es": (
            "Perdonar un recargo por demora cuando el retraso lo causaron nuestros sistemas o cartas\n"
            "Perdonar la cuota de reconexión a un cliente de muchos años",
            "Perdonar una multa que impuso un juzgado o un regulador\nPrometer que se perdonarán cargos futuros",
        ),
        "nl": (
            "Een boete voor te laat betalen kwijtschelden als onze eigen systemen of brieven de vertraging veroorzaakten\n"
            "Heraansluitingskosten kwijtschelden voor een klant van lange duur",
            "Een boete kwijtschelden die een rechter of toezichthouder oplegde\nBeloven dat toekomstige kosten vervallen",
        ),
    },
    "upgrade": {
        "es": (
            "Mejorar la habitación o el asiento cuando el reservado no está listo\n"
            "Ofrecer el plan superior durante un mes después de una avería",
            "Mejorar para siempre sin cambiar el contrato\nMejorar a cambio de una buena reseña",
        ),
        "nl": (
            "Een kamer of stoel upgraden als de geboekte niet klaar is\n"
            "Na een storing een maand het hogere abonnement aanbieden",
            "Blijvend upgraden zonder contractwijziging\nUpgraden in ruil voor een betere review",
        ),
    },
    "refund-credit": {
        "es": (
            "Abonar por completo un error de facturación\nDevolver los gastos de envío cuando el paquete llegó tarde",
            "Reembolsar por otro medio de pago que el usado\nReembolsos para todo un grupo de clientes",
        ),
        "nl": (
            "Een factuurfout volledig crediteren\nVerzendkosten terugbetalen als het pakket te laat kwam",
            "Terugbetalen via een ander betaalmiddel dan gebruikt\nTerugbetalingen voor een hele groep klanten",
        ),
    },
    "goodwill": {
        "es": (
            "Un vale después de una larga espera al teléfono\nFlores o una tarjeta tras un fallecimiento",
            "Pagos en efectivo\nGestos a cambio de retirar una reclamación",
        ),
        "nl": (
            "Een waardebon na lang wachten aan de telefoon\nBloemen of een kaart na een overlijden",
            "Contante betalingen\nGebaren in ruil voor het intrekken van een klacht",
        ),
    },
    "rule-exception": {
        "es": (
            "Aceptar una devolución unos días después del plazo\nAlargar la hora de cierre o de salida",
            "Excepciones a normas de seguridad o legales\nExcepciones que cambian un contrato",
        ),
        "nl": (
            "Een retour een paar dagen na de termijn aannemen\nEen sluitings- of uitchecktijd oprekken",
            "Uitzonderingen op veiligheids- of wettelijke regels\nUitzonderingen die een contract veranderen",
        ),
    },
    "replacement": {
        "es": (
            "Enviar un repuesto antes de que vuelva el artículo defectuoso\n"
            "Reponer un pedido perdido cuando el transportista confirma la pérdida",
            "Reponer un artículo que el cliente dañó a propósito\nReposiciones por encima del valor del pedido original",
        ),
        "nl": (
            "Een vervanging sturen voordat het defecte artikel terug is\n"
            "Een verloren bestelling vervangen zodra de vervoerder het verlies bevestigt",
            "Een artikel vervangen dat de klant met opzet beschadigde\nVervangingen boven de waarde van de oorspronkelijke bestelling",
        ),
    },
}
VALUES = [
    ("empathy", "Empathy", "Empatía", "Empathie"),
    ("ownership", "Ownership", "Responsabilidad", "Eigenaarschap"),
    ("transparency", "Transparency", "Transparencia", "Transparantie"),
    ("proactivity", "Proactivity", "Proactividad", "Proactiviteit"),
]

# (category, channel, cost range, outcome, values, situation, action, justification) per language.
STORIES = {
    "en": [
        (
            "fee-waiver",
            "phone",
            (10, 35),
            "retained",
            ["empathy", "ownership"],
            "The customer was charged a late fee because our payment page was down on the due date.",
            "I waived the late fee on the spot.",
            "The delay was our fault. Keeping the fee would have cost us far more in trust than it earned.",
        ),
        (
            "upgrade",
            "in_person",
            (40, 140),
            "delighted",
            ["empathy"],
            "A family arrived after a 14-hour journey and their room was not ready for another three hours.",
            "I upgraded them to a suite that was free right away.",
            "The suite was empty that night anyway, and the children were exhausted. A tired family remembers a kindness.",
        ),
        (
            "replacement",
            "chat",
            (20, 90),
            "retained",
            ["ownership", "proactivity"],
            "The order was marked delivered but never arrived; the carrier confirmed it was lost.",
            "I shipped a replacement the same day instead of waiting for the carrier's claim.",
            "The customer needed it for a birthday on Saturday. The carrier's claim will reimburse us anyway.",
        ),
        (
            "refund-credit",
            "email",
            (5, 60),
            "retained",
            ["transparency"],
            "The customer was billed twice for the same month after our system migration.",
            "I credited the duplicate charge and explained exactly what had happened.",
            "A clear apology and an immediate credit is what I would want. Making them wait for a ticket would be unfair.",
        ),
        (
            "goodwill",
            "phone",
            (10, 40),
            "delighted",
            ["empathy"],
            "A long-time customer called about a broken kettle and mentioned her husband had just passed away.",
            "I sent a condolence card with a small voucher along with the replacement.",
            "It was the human thing to do. She has been with us for twelve years.",
        ),
        (
            "rule-exception",
            "social",
            (0, 0),
            "retained",
            ["empathy", "ownership"],
            "A customer wanted to return a jacket two days after the 30-day window; he had been in hospital.",
            "I accepted the return anyway.",
            "The rule exists to stop abuse, not to punish someone who was ill. It cost us nothing but a little flexibility.",
        ),
        (
            "refund-credit",
            "phone",
            (60, 180),
            "retained",
            ["ownership"],
            "Our technician missed two appointments in a row and the customer took two days off work for nothing.",
            "I refunded the installation fee and added a credit for the lost day.",
            "We wasted two of his days. Anything less would have lost him, and he was about to cancel.",
        ),
        (
            "upgrade",
            "video",
            (0, 30),
            "delighted",
            ["proactivity"],
            "The customer's internet kept dropping during a week of important video interviews.",
            "I moved her to the faster plan for a month at no charge while engineering fixes the line.",
            "She could not afford another dropped interview, and the faster plan routes around the faulty node.",
        ),
    ],
    "es": [
        (
            "fee-waiver",
            "phone",
            (10, 40),
            "retained",
            ["empathy"],
            "Al cliente le cobraron un recargo por demora porque nuestra carta de aviso llegó tarde.",
            "Le anulé el recargo por demora en la misma llamada.",
            "El retraso fue culpa nuestra. Mantener el recargo nos habría costado la confianza del cliente.",
        ),
        (
            "rule-exception",
            "in_person",
            (0, 0),
            "delighted",
            ["empathy", "proactivity"],
            "Una pareja llegó al cierre para recoger un pedido de boda porque su vuelo se retrasó.",
            "Alargué el horario de cierre veinte minutos para que pudieran recogerlo.",
            "Era su boda al día siguiente. Veinte minutos para nosotros eran un día entero para ellos.",
        ),
        (
            "replacement",
            "chat",
            (25, 110),
            "retained",
            ["ownership"],
            "El cliente recibió una cafetera defectuosa y la necesitaba para su cafetería al día siguiente.",
            "Le envié una cafetera de reposición antes de recibir la devolución.",
            "Su negocio dependía de ella. Si esperábamos la devolución, perdía una semana de ventas.",
        ),
        (
            "refund-credit",
            "email",
            (8, 55),
            "retained",
            ["transparency"],
            "La factura incluía un servicio que el cliente había dado de baja hacía dos meses.",
            "Le abonamos los dos meses cobrados por error y le expliqué el fallo.",
            "El error era nuestro y lo correcto era devolverlo sin que tuviera que insistir.",
        ),
        (
            "upgrade",
            "in_person",
            (50, 160),
            "delighted",
            ["empathy"],
            "La habitación reservada tenía la calefacción averiada en pleno invierno.",
            "Mejoré la reserva a una suite sin coste adicional.",
            "No podíamos dejar a los huéspedes pasar frío, y la suite estaba libre.",
        ),
        (
            "goodwill",
            "social",
            (5, 35),
            "delighted",
            ["empathy", "proactivity"],
            "Una clienta comentó en redes que su pedido para el cumpleaños de su hija llegó con la caja rota.",
            "Le envié un pequeño regalo para la niña junto con el producto nuevo.",
            "Era un día especial para la familia y quería que terminara bien.",
        ),
    ],
    "nl": [
        (
            "fee-waiver",
            "phone",
            (10, 45),
            "retained",
            ["empathy"],
            "De klant kreeg aanmaningskosten omdat onze betaalpagina op de vervaldag niet werkte.",
            "Ik heb de aanmaningskosten meteen kwijtgescholden.",
            "Het lag aan ons. De kosten laten staan had ons veel meer vertrouwen gekost dan het opleverde.",
        ),
        (
            "replacement",
            "email",
            (20, 95),
            "retained",
            ["ownership", "proactivity"],
            "Een pakket met een kinderwagen raakte kwijt bij de vervoerder, een week voor de uitgerekende datum.",
            "Ik heb direct een vervangende kinderwagen verstuurd, nog voor de claim bij de vervoerder rond was.",
            "De baby kon elk moment komen. De vervoerder vergoedt het later toch.",
        ),
        (
            "rule-exception",
            "in_person",
            (0, 0),
            "delighted",
            ["empathy"],
            "Een gast moest om elf uur uitchecken, maar zijn vlucht vertrok pas 's avonds en hij was ziek.",
            "Ik heb de uitchecktijd verlengd tot vier uur 's middags.",
            "De kamer was die dag niet opnieuw geboekt en hij kon nergens anders uitrusten.",
        ),
        (
            "upgrade",
            "in_person",
            (30, 150),
            "delighted",
            ["empathy"],
            "Een stel vierde hun veertigjarig huwelijk en hun kamer keek uit op de parkeerplaats.",
            "Ik heb ze geüpgraded naar een kamer met uitzicht op zee.",
            "Die kamer stond leeg en zo'n jubileum vier je maar één keer.",
        ),
        (
            "refund-credit",
            "chat",
            (10, 70),
            "retained",
            ["transparency", "ownership"],
            "Na onze systeemmigratie werd de klant twee keer gefactureerd voor dezelfde maand.",
            "Ik heb de dubbele afschrijving teruggestort en precies uitgelegd wat er misging.",
            "Snel en eerlijk rechtzetten is wat ik zelf zou willen. Laten wachten op een ticket is niet eerlijk.",
        ),
        (
            "goodwill",
            "phone",
            (10, 30),
            "retained",
            ["empathy"],
            "Een klant stond veertig minuten in de wacht voordat ze ons te pakken kreeg.",
            "Ik heb haar een tegoedbon gegeven voor het wachten.",
            "Veertig minuten wachten is niet de service die wij willen geven.",
        ),
    ],
}

TRUST = [
    # team, manager's first name, agent first name or None, text, category, raised limit
    (
        "Billing & Accounts",
        "Grace",
        None,
        "I trust you to put right any billing error we caused, in full, without asking me first.",
        "refund-credit",
        "150",
    ),
    (
        "Orders & Returns",
        "Lucas",
        "Diego",
        "Confío en ti para enviar una reposición antes de recibir la devolución cuando el cliente la necesite ya.",
        "replacement",
        "120",
    ),
    (
        "Front Desk",
        "Sanne",
        None,
        "Ik vertrouw erop dat je een gast upgradet wanneer wij hem hebben laten wachten.",
        "upgrade",
        "150",
    ),
    (
        "Reservations",
        "Priya",
        None,
        "I trust you to bend a deadline when life got in the way of our guest's plans.",
        None,
        None,
    ),
]


# One agent who has logged nothing yet, so that the insights have a quiet colleague to show.
QUIET_AGENT = "Ravi"


@transaction.atomic
def seed(*, today: datetime.date, seeded: dict) -> None:
    categories = {}
    for position, (slug, en, es, nl, limit, in_scope, out_scope) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": en, "name_es": es, "name_nl": nl, "position": position}
        )
        translated = {
            f"{field}_{language}": text
            for language, texts in EXAMPLES.get(slug, {}).items()
            for field, text in zip(["in_scope", "out_of_scope"], texts, strict=True)
        }
        Guardrail.objects.get_or_create(
            category=category,
            defaults={"limit": Decimal(limit), "in_scope": in_scope, "out_of_scope": out_scope, **translated},
        )
        categories[slug] = category
    values = {}
    for position, (slug, en, es, nl) in enumerate(VALUES):
        values[slug], _ = CompanyValue.objects.get_or_create(
            slug=slug, defaults={"name": en, "name_es": es, "name_nl": nl, "position": position}
        )

    teams, managers, agents = seeded["teams"], seeded["managers"], seeded["agents"]
    if not TrustStatement.objects.exists():
        for team_name, _manager, agent_name, text, category_slug, limit in TRUST:
            agent = next((a for a in agents[team_name] if a.first_name == agent_name), None)
            TrustStatement.objects.create(
                author=managers[team_name],
                team=teams[team_name],
                agent=agent,
                text=text,
                category=categories.get(category_slug),
                raised_limit=Decimal(limit) if limit else None,
                starts_on=today - datetime.timedelta(days=60),
            )
        TeamGuardrail.objects.get_or_create(
            team=teams["Front Desk"],
            category=categories["rule-exception"],
            defaults={"limit": Decimal("60"), "set_by": managers["Front Desk"]},
        )

    if Decision.objects.exists():
        return
    rng = random.Random(2026)
    now = timezone.now()
    for team_name, team_agents in agents.items():
        manager = managers[team_name]
        for agent in team_agents:
            if agent.first_name == QUIET_AGENT:
                continue  # logs nothing: the insights show a quiet colleague
            stories = STORIES[agent.language]
            for story in rng.sample(stories, k=rng.randint(2, 4)):
                category, channel, (low, high), outcome, value_slugs, situation, action, justification = story
                days_ago = rng.randint(0, 42)
                created_at = now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 8))
                decision = decision_submit(
                    author=agent,
                    fields={
                        "situation": situation,
                        "action": action,
                        "justification": justification,
                        "category": categories[category],
                        "channel": channel,
                        "cost": Decimal(rng.randint(low, high)) if high else Decimal("0"),
                        "outcome": outcome,
                        "happened_on": created_at.date(),
                        "customer_reference": f"CASE-{rng.randint(10000, 99999)}",
                    },
                    values=[values[v] for v in value_slugs],
                )
                update = {"created_at": created_at}
                if days_ago > 4 and rng.random() < 0.85:
                    update.update(
                        status=Decision.Status.APPROVED,
                        approved_at=created_at + datetime.timedelta(hours=rng.randint(2, 40)),
                        approved_by=manager,
                    )
                Decision.objects.filter(pk=decision.pk).update(**update)
