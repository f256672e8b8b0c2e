"""The misconduct taxonomy as data: a tree editable by administrators (DESIGN.md section 1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from blueledger.cases.vocabularies import LegacyCategory, Seriousness, TaxonomyLevel


class MisconductTypeQuerySet(models.QuerySet["MisconductType"]):
    def active(self) -> "MisconductTypeQuerySet":
        return self.filter(active=True)

    def sea(self) -> "MisconductTypeQuerySet":
        return self.filter(is_sea=True)


class MisconductType(models.Model):
    """A node of the tree: SEA -> SE/SA -> subtypes; (serious) misconduct -> area -> type."""

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=TaxonomyLevel.choices)
    is_sea = models.BooleanField(
        _("sexual exploitation or abuse"),
        default=False,
        help_text=_("SEA is always serious misconduct and counted per allegation."),
    )
    seriousness = models.CharField(
        _("seriousness"), max_length=16, choices=Seriousness.choices, blank=True
    )
    legacy_category = models.PositiveSmallIntegerField(
        _("legacy OIOS category"), choices=LegacyCategory.choices, null=True, blank=True
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive types stay on old records only.")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = MisconductTypeQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("misconduct type")
        verbose_name_plural = _("misconduct types")

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["MisconductType"]:
        """Return the nodes from the root down to this one's parent."""
        chain: list[MisconductType] = []
        node = self.parent
        while node is not None and len(chain) < 10:
            chain.insert(0, node)
            node = node.parent
        return chain

    @property
    def path(self) -> str:
        return " > ".join(str(node) for node in [*self.ancestors(), self])

    def subtree_ids(self) -> list[int]:
        """Return this node's id and those of all its descendants (the tree is small: one query)."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in MisconductType.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = [child for pk in frontier for child in children.get(pk, [])]
            found.extend(frontier)
        return found
