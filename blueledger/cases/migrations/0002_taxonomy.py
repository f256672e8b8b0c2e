"""Load the misconduct taxonomy of DESIGN.md section 1; administrators edit it afterwards."""

from django.db import migrations

# (code, name, children); level follows depth: root, category, type, subtype.
# Legacy OIOS categories: SEA and serious misconduct map to Category 1, misconduct to Category 2.
SEA = (
    "sea",
    "Sexual exploitation and abuse",
    [
        (
            "se",
            "Sexual exploitation",
            [
                ("se-transactional-sex", "Transactional sex", []),
                ("se-solicitation", "Solicitation of transactional sex", []),
                ("se-exploitative-relationship", "Exploitative relationship", []),
            ],
        ),
        (
            "sa",
            "Sexual abuse",
            [
                ("sa-rape", "Rape", []),
                ("sa-sexual-assault", "Sexual assault", []),
                ("sa-minor", "Sexual activity with a minor", []),
            ],
        ),
    ],
)


def areas(prefix: str) -> list:
    return [
        (
            f"{prefix}-traffic",
            "Traffic-related violations",
            [
                (f"{prefix}-traffic-dangerous-driving", "Dangerous driving", []),
                (f"{prefix}-traffic-drink-driving", "Driving under the influence", []),
                (f"{prefix}-traffic-unauthorised-use", "Unauthorised use of UN vehicles", []),
            ],
        ),
        (
            f"{prefix}-prohibited",
            "Prohibited conduct",
            [
                (f"{prefix}-prohibited-discrimination", "Discrimination", []),
                (
                    f"{prefix}-prohibited-harassment",
                    "Harassment",
                    [(f"{prefix}-prohibited-harassment-bullying", "Bullying", [])],
                ),
                (f"{prefix}-prohibited-sexual-harassment", "Sexual harassment", []),
                (f"{prefix}-prohibited-abuse-of-authority", "Abuse of authority", []),
            ],
        ),
        (
            f"{prefix}-procurement",
            "Procurement violations",
            [
                (f"{prefix}-procurement-bid-rigging", "Bid rigging", []),
                (f"{prefix}-procurement-conflict", "Undisclosed conflict of interest", []),
            ],
        ),
        (
            f"{prefix}-unlawful",
            "Other unlawful act",
            [
                (f"{prefix}-unlawful-assault", "Physical assault", []),
                (f"{prefix}-unlawful-smuggling", "Smuggling", []),
            ],
        ),
        (
            f"{prefix}-infractions",
            "Other infractions of rules",
            [
                (f"{prefix}-infractions-curfew", "Breach of curfew or out of bounds", []),
                (f"{prefix}-infractions-alcohol", "Misuse of alcohol", []),
            ],
        ),
        (
            f"{prefix}-obstruction",
            "Obstruction of accountability",
            [
                (f"{prefix}-obstruction-retaliation", "Retaliation", []),
                (f"{prefix}-obstruction-non-cooperation", "Failure to cooperate", []),
            ],
        ),
        (
            f"{prefix}-misuse",
            "Misuse of office or position",
            [
                (f"{prefix}-misuse-assets", "Misuse of UN assets", []),
                (f"{prefix}-misuse-outside-activity", "Unauthorised outside activity", []),
            ],
        ),
        (
            f"{prefix}-fraud",
            "Fraud and theft",
            [
                (
                    f"{prefix}-fraud-entitlements",
                    "Entitlement fraud",
                    [(f"{prefix}-fraud-entitlements-rental", "Rental subsidy fraud", [])],
                ),
                (f"{prefix}-fraud-theft", "Theft", []),
            ],
        ),
        (
            f"{prefix}-financial",
            "Financial and legal obligations",
            [
                (f"{prefix}-financial-debts", "Failure to honour private debts", []),
                (f"{prefix}-financial-support", "Failure to pay family support", []),
            ],
        ),
    ]


TREE = [
    SEA,
    ("serious-misconduct", "Serious misconduct", areas("sm")),
    ("misconduct", "Misconduct", areas("m")),
]
LEVELS = ["root", "category", "type", "subtype"]
ROOT_PROPERTIES = {
    "sea": {"is_sea": True, "seriousness": "serious", "legacy_category": 1},
    "serious-misconduct": {"is_sea": False, "seriousness": "serious", "legacy_category": 1},
    "misconduct": {"is_sea": False, "seriousness": "misconduct", "legacy_category": 2},
}


def load(apps, schema_editor):
    MisconductType = apps.get_model("cases", "MisconductType")
    order = iter(range(10, 100000, 10))

    def add(node, parent, depth, inherited):
        code, name, children = node
        properties = ROOT_PROPERTIES.get(code, inherited)
        created = MisconductType.objects.create(
            parent=parent,
            code=code,
            name=name,
            level=LEVELS[depth],
            sort_order=next(order),
            **properties,
        )
        for child in children:
            add(child, created, depth + 1, properties)

    for root in TREE:
        add(root, None, 0, {})


def unload(apps, schema_editor):
    MisconductType = apps.get_model("cases", "MisconductType")
    # Children first: the parent key protects.
    for level in reversed(LEVELS):
        MisconductType.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
