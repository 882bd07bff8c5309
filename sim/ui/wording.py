"""Plain words for the workshop page, written for officials, not programmers.

One table keyed by parameter name: the slider's label and a sentence saying what it
means in the world, without formulas. Units, bounds and defaults are never typed here:
:func:`sim.ui.controls.slider` takes them from the parameter schema
(:func:`sim.params.spec`) and ``tests/test_ui_wording.py`` checks that every key is a real
parameter. Event explanations and option names live here too.
"""

from __future__ import annotations

SLIDER_WORDS: dict[str, tuple[str, str]] = {
    "ddr.incentive": (
        "DDR package attractiveness",
        "How attractive the offer to fighters who disarm is: cash, jobs, ranks.",
    ),
    "ddr.security_guarantee": (
        "Safety of those who disarm",
        "How far fighters believe they will be protected after giving up their weapons.",
    ),
    "ddr.cantonment_capacity": (
        "Cantonment places per month",
        "How many people the cantonment sites can take in each month when fully funded.",
    ),
    "ddr.opportunity": (
        "Jobs and income after DDR",
        "Economic chances of former fighters back in civilian life; low values push some "
        "back to arms.",
    ),
    "corruption.baseline": (
        "Corruption at the start",
        "How corrupt the security institutions are at the start, and where they drift back "
        "to without pressure.",
    ),
    "corruption.contagion": (
        "Spread of corrupt habits",
        "How quickly a unit copies the habits of nearby units each month.",
    ),
    "donors.leakage_max": (
        "Aid lost to embezzlement",
        "Share of donor money that disappears when the forces are thoroughly corrupt; "
        "less corruption, less loss.",
    ),
    "oversight.strength": (
        "Strength of oversight bodies",
        "Capacity of the SSR council, inspectorates, parliament and courts to watch the forces.",
    ),
    "state.political_will": (
        "Political will for reform",
        "How much the government backs reform: sanctions, oversight and DDR all depend on it.",
    ),
    "oversight.enforcement_max": (
        "Chance misconduct is punished",
        "Chance that misconduct, once found out, is sanctioned when oversight works fully.",
    ),
    "cso.initial_capacity": (
        "Civil society capacity at the start",
        "How able civil society organisations are to monitor the forces at the start.",
    ),
    "cso.foreign_funded_share": (
        "Civil society funded from abroad",
        "Share of civil society organisations that depend on foreign donors (they are hit "
        "first by a ban).",
    ),
    "oversight.detection_cso": (
        "Misconduct found by civil society",
        "How much civil society monitoring raises the chance that abuses are found out.",
    ),
    "donors.multilateral_budget": (
        "Budget of each multilateral donor",
        "Money for security reform from each multilateral donor (UN, EU) every month.",
    ),
    "donors.bilateral_budget": (
        "Budget of the bilateral donor",
        "Money for security reform from the bilateral donor (France) every month.",
    ),
    "donors.bilateral_conditionality": (
        "Aid cut after a coup",
        "Share of the bilateral donor's money stopped if there is a coup.",
    ),
    "trust.initial_mean": (
        "Trust in the forces at the start",
        "How much communities trust the security forces at the start.",
    ),
    "trust.abuse_loss": (
        "Trust lost through abuses",
        "How much trust a community loses when it keeps witnessing abuses by the forces.",
    ),
    "violence.abuse_rate": (
        "Abuses by undisciplined units",
        "Abuses of civilians by a unit with no training, no fear of sanction and under "
        "heavy threat.",
    ),
    "forces.compliance_training": (
        "Effect of human-rights training",
        "How much better fully trained units respect human rights and the laws of war.",
    ),
}
"""Parameter name -> (slider label, plain help). Units and bounds come from the schema."""

EVENT_WORDS: dict[str, tuple[str, str]] = {
    "terminate_agreement": (
        "Terminate the agreement",
        "The 2015 peace agreement ends: DDR closes to the signatory groups, some fighters "
        "change sides and trust in the state falls in the north.",
    ),
    "coup": (
        "Coup",
        "A military coup: a transition government takes over, donors who set conditions "
        "cut their money and the will to reform drops.",
    ),
    "suspend_csos": (
        "Suspend civil society",
        "Civil society organisations funded from abroad are banned; the others lose "
        "independence, so fewer abuses are found out.",
    ),
    "peacekeepers_withdraw": (
        "Peacekeepers withdraw",
        "The UN mission ends and its troops leave over the chosen number of months.",
    ),
    "donor_withdrawal": (
        "Donors withdraw",
        "A donor (or every donor that sets conditions) cuts the chosen share of its money.",
    ),
    "partner_arrives": (
        "Partner arrives",
        "A security partner that sets no conditions arrives with equipment and combat support.",
    ),
    "launch_ddr": (
        "Launch DDR",
        "Disarmament, demobilisation and reintegration opens, to every signatory group or to "
        "the pro-government coalition only.",
    ),
    "pause_ddr": (
        "Pause DDR",
        "DDR stops taking in and processing people.",
    ),
}
"""Event kind -> (button label, explanation shown when the participant taps "What is this?")."""

OPTION_WORDS: dict[str, str] = {
    "donor": "Which donor",
    "share": "Share of money cut",
    "months": "Over how many months",
    "scope": "Open to",
}
"""Event option name -> its label next to the button."""

CHOICE_WORDS: dict[str, str] = {
    "all_conditional": "all donors with conditions",
    "all": "all signatory groups",
    "pro_government": "pro-government groups only",
}
"""Option choice -> plain words (other choices, e.g. "EU", show as they are)."""

AGREEMENT_WORDS = {True: "Agreement: in force", False: "Agreement: ended"}
"""The agreement chip on the page."""
