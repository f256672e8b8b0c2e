"""Controlled vocabularies of case records (DESIGN.md section 1).

Values are stable identifiers stored in the database and exchanged through the API; labels are
translatable. Add values, never rename them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a report reached the organisation."""

    WEB = "web", _("Web form")
    HOTLINE = "hotline", _("Hotline")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("Email")
    COMPLAINT_BOX = "complaint_box", _("Complaint box")
    COMMUNITY_NETWORK = "community_network", _("Community-based complaint network")
    SMS = "sms", _("SMS")


class CategoryOfPersonnel(models.TextChoices):
    """The UN's published codes for categories of personnel, plus system-wide additions."""

    INT = "INT", _("Civilian (INT): international staff")
    NS = "NS", _("Civilian (NS): national staff")
    UNV = "UNV", _("Civilian (UNV): UN volunteer")
    MC = "MC", _("Military (MC): contingent member")
    MO = "MO", _("Military (MO): observer or staff officer")
    UNPOL = "UNPOL", _("Police (UNPOL): individual police officer")
    FPU = "FPU", _("Police (FPU): formed police unit member")
    CONTRACTOR = "contractor", _("Consultant or contractor")
    IMPLEMENTING_PARTNER = "implementing_partner", _("Implementing partner personnel")

    @property
    def is_uniformed(self) -> bool:
        """Military and police: a Member State has jurisdiction and answers for them."""
        return self.value in UNIFORMED_CATEGORIES


UNIFORMED_CATEGORIES = frozenset(
    {
        CategoryOfPersonnel.MC.value,
        CategoryOfPersonnel.MO.value,
        CategoryOfPersonnel.UNPOL.value,
        CategoryOfPersonnel.FPU.value,
    }
)


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class AgeGroup(models.TextChoices):
    """Age groups of the UN's public victim figures (women, girls under 18, age unknown...)."""

    ADULT = "adult", _("Adult (18 or over)")
    CHILD = "child", _("Child (under 18)")
    UNKNOWN = "unknown", _("Age unknown")


class IncidentPrecision(models.TextChoices):
    """How much of the incident date is known: the day, only the month, only the year, nothing."""

    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")
    UNKNOWN = "unknown", _("Unknown")


class Seriousness(models.TextChoices):
    """Since 2021, other misconduct is serious misconduct or misconduct; SEA is always serious."""

    SERIOUS = "serious", _("Serious misconduct")
    MISCONDUCT = "misconduct", _("Misconduct")


class InvestigatingBody(models.TextChoices):
    OIOS = "oios", _("Office of Internal Oversight Services (OIOS)")
    MISSION_UNIT = "mission_unit", _("Mission investigation unit")
    MEMBER_STATE = "member_state", _("Member State (TCC or PCC)")
    OTHER_ENTITY = "other_entity", _("Another entity's investigation office")
    JOINT = "joint", _("Joint investigation (Member State and OIOS)")


class ReferralTarget(models.TextChoices):
    """Who a matter is referred to for investigation or action."""

    OIOS = "oios", _("OIOS")
    MISSION_UNIT = "mission_unit", _("Mission investigation unit")
    MEMBER_STATE_TCC = "member_state_tcc", _("Member State as troop-contributing country")
    MEMBER_STATE_PCC = "member_state_pcc", _("Member State as police-contributing country")
    OTHER_ENTITY = "other_entity", _("Another entity's investigation office")

    @property
    def is_member_state(self) -> bool:
        return self.value in MEMBER_STATE_TARGETS


MEMBER_STATE_TARGETS = frozenset(
    {ReferralTarget.MEMBER_STATE_TCC.value, ReferralTarget.MEMBER_STATE_PCC.value}
)


class InterimMeasureKind(models.TextChoices):
    """Interim measures, including those of Security Council resolution 2272."""

    PAYMENT_SUSPENSION = "payment_suspension", _("Suspension of payments (uniformed personnel)")
    LEAVE_WITH_PAY = "leave_with_pay", _("Administrative leave with pay")
    LEAVE_PARTIAL_PAY = "leave_partial_pay", _("Administrative leave with partial pay")
    LEAVE_WITHOUT_PAY = "leave_without_pay", _("Administrative leave without pay")
    CONFINEMENT = "confinement", _("Confinement to base")
    INDIVIDUAL_REPATRIATION = (
        "individual_repatriation",
        _("Withdrawal or repatriation of the individual"),
    )
    UNIT_REPATRIATION = "unit_repatriation", _("Repatriation of the whole unit")


class FindingOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")
    CLOSED_OTHER = "closed_other", _("Closed (other circumstances)")


class ActionKind(models.TextChoices):
    """Measures taken after substantiation, by the UN or by the Member State."""

    # Staff Rule 10.2 disciplinary measures.
    WRITTEN_CENSURE = "written_censure", _("Written censure")
    LOSS_OF_STEPS = "loss_of_steps", _("Loss of steps in grade")
    DEFERMENT_OF_INCREMENT = "deferment_of_increment", _("Deferment of within-grade increment")
    SUSPENSION_WITHOUT_PAY = "suspension_without_pay", _("Suspension without pay")
    FINE = "fine", _("Fine")
    DEFERMENT_OF_PROMOTION = "deferment_of_promotion", _("Deferment of promotion eligibility")
    DEMOTION = "demotion", _("Demotion")
    SEPARATION = "separation", _("Separation from service")
    DISMISSAL = "dismissal", _("Dismissal")
    # Non-disciplinary measures for non-serious matters.
    VERBAL_WARNING = "verbal_warning", _("Verbal warning")
    LETTER_OF_REPRIMAND = "letter_of_reprimand", _("Letter of reprimand")
    # Uniformed personnel: what the UN may do.
    REPATRIATION = "repatriation", _("Repatriation on disciplinary grounds")
    BAN_FROM_SERVICE = "ban_from_service", _("Ban from future UN service")
    # Uniformed personnel: what the Member State does.
    MS_DISCIPLINARY = "ms_disciplinary", _("Member State disciplinary measure")
    MS_ADMINISTRATIVE = "ms_administrative", _("Member State administrative measure")
    MS_JUDICIAL = "ms_judicial", _("Member State judicial measure (e.g. imprisonment)")
    # Any personnel.
    CRIMINAL_REFERRAL = (
        "criminal_referral",
        _("Referral to the State of nationality for criminal accountability"),
    )


STAFF_RULE_10_2 = frozenset(
    {
        ActionKind.WRITTEN_CENSURE.value,
        ActionKind.LOSS_OF_STEPS.value,
        ActionKind.DEFERMENT_OF_INCREMENT.value,
        ActionKind.SUSPENSION_WITHOUT_PAY.value,
        ActionKind.FINE.value,
        ActionKind.DEFERMENT_OF_PROMOTION.value,
        ActionKind.DEMOTION.value,
        ActionKind.SEPARATION.value,
        ActionKind.DISMISSAL.value,
    }
)
MEMBER_STATE_ACTIONS = frozenset(
    {
        ActionKind.MS_DISCIPLINARY.value,
        ActionKind.MS_ADMINISTRATIVE.value,
        ActionKind.MS_JUDICIAL.value,
    }
)


class TaxonomyLevel(models.TextChoices):
    """Levels of the misconduct tree, root to leaf."""

    ROOT = "root", _("Root (SEA, serious misconduct, misconduct)")
    CATEGORY = "category", _("Category (SE, SA) or thematic area")
    TYPE = "type", _("Type")
    SUBTYPE = "subtype", _("Subtype")


class LegacyCategory(models.IntegerChoices):
    """OIOS categories used before 2021."""

    CATEGORY_1 = 1, _("Category 1 (serious, investigated by OIOS)")
    CATEGORY_2 = 2, _("Category 2 (handled by mission units)")
