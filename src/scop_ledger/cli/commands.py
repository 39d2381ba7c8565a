"""The table of commands: where each is defined and the first sentence of its help (imported by
the root group, :mod:`scop_ledger.cli.main`, without importing the commands themselves)."""

from __future__ import annotations

from scop_ledger.i18n import N_

# Each command: where it is defined (``module:function`` under scop_ledger.cli, imported only
# when the command runs) and the first sentence of its help, which ``scop-ledger --help`` lists
# (tests/cli/test_cli.py checks that it is the command's own), translated where shown.
COMMANDS: dict[str, tuple[str, str]] = {
    "admit": (
        "people:admit",
        N_("The person becomes a partner; employee or external follows from employment."),
    ),
    "allocate": (
        "governance:allocate",
        N_("The general meeting allocated a year's net surplus."),
    ),
    "appoint": (
        "governance:appoint",
        N_("A management mandate starts."),
    ),
    "capital": (
        "query:capital",
        N_("The share capital and who holds it: employee and external partners, with ratios."),
    ),
    "certificate": (
        "certificates:certificate",
        N_(
            "A partner's share certificate: their number, shares, nominal value, amount, paid-up "
            "amount, category, the movements of the year and the chain head it was drawn from; "
            "exit 1 when they hold no share on the date."
        ),
    ),
    "change-form": (
        "governance:change_form",
        N_("The cooperative changed its legal form."),
    ),
    "change-share-value": (
        "governance:change_share_value",
        N_(
            "The share's nominal value changed: every holding is regrouped or split into shares "
            "of the new value, keeping its amount; refused when a holding would leave a "
            "remainder or the value does not change."
        ),
    ),
    "compliance": (
        "reports:compliance",
        N_(
            "Every rule of the cooperative's profile as of the date: status, value, threshold, the "
            "date the current status began, and the legal source."
        ),
    ),
    "coops": (
        "query:coops",
        N_("Every cooperative in the store with its headline figures as of the date."),
    ),
    "diff": (
        "audit:diff",
        N_(
            "What changed in capital, votes, holdings and compliance as of a date between two "
            "states of knowledge, and the entries recorded in between (back-dated entries, "
            "reversals)."
        ),
    ),
    "end-mandate": (
        "governance:end_mandate",
        N_("A mandate ends before its term."),
    ),
    "export": (
        "reports:export",
        N_(
            "Write the whole history in the import format (JSON Lines): into an empty store, "
            "'init' with the same statutes then 'import FILE' reproduces every answer."
        ),
    ),
    "factsheet": (
        "reports:factsheet",
        N_(
            "The annual fact sheet for the Ministry of Labour, as of the financial year's end: "
            "shares, employee partners, the largest holder, non-employee partners with their votes."
        ),
    ),
    "hire": (
        "people:hire",
        N_("An employment contract starts."),
    ),
    "history": (
        "query:history",
        N_(
            "Every entry (init and reversals included) in the order recorded, with who reversed it."
        ),
    ),
    "import": (
        "write:import_cmd",
        N_("Record every row of a .csv, .jsonl or .xlsx file: all rows or none."),
    ),
    "init": (
        "write:init",
        N_("Register a cooperative (creates the store if needed); --date is its registration."),
    ),
    "leave": (
        "people:leave",
        N_("Partner status ends; all shares are cancelled and a refund becomes owed."),
    ),
    "members": (
        "query:members",
        N_(
            "Every person known to the ledger: employed, partner, category, shares, and their "
            "number in the register of partners (1, 2, 3... in order of first admission, kept "
            "when re-admitted)."
        ),
    ),
    "pay-refund": (
        "people:pay_refund",
        N_("Money paid to a former or withdrawing partner."),
    ),
    "pay-up": (
        "people:pay_up",
        N_("Money paid against subscribed, unpaid shares."),
    ),
    "rebuild": (
        "reports:rebuild",
        N_("Rebuild the view tables from the events (a progress bar on a terminal)."),
    ),
    "refunds": (
        "query:refunds",
        N_("Refunds owed after exits and withdrawals: paid, outstanding, due date, liability."),
    ),
    "register": (
        "query:register_cmd",
        N_("The chronological register of share movements, with cause and category."),
    ),
    "report": (
        "audit:report",
        N_(
            "The review pack: one self-contained HTML file with the cooperative, the period and "
            "the chain head; the employee shares of capital and votes over the whole history "
            "against their thresholds, breaches shaded; the register; refunds owed and their "
            "ageing; mandates; the compliance findings with their legal sources; entries recorded "
            "late or reversed."
        ),
    ),
    "reverse": (
        "write:reverse",
        N_("Correct an entry: it stays in the history, marked reversed from now on."),
    ),
    "review": (
        "governance:review",
        N_("A cooperative review was completed."),
    ),
    "roll": (
        "roll:roll",
        N_(
            "The general meeting's roll on the date: every partner, their college, their vote "
            "(the external partners' weighted under the cap) and the limits on proxies."
        ),
    ),
    "statements": (
        "certificates:statements",
        N_(
            "One certificate per partner holding shares at the end of the financial year, written "
            "into a folder as NUMBER-PERSON.pdf (the annual statement sent to every partner): all "
            "of them, or none."
        ),
    ),
    "serve": (
        "serve:serve",
        N_("The ledger in a browser: pages and a JSON API, read-only."),
    ),
    "subscribe": (
        "people:subscribe",
        N_("The partner subscribes shares, paid in full unless --paid says otherwise."),
    ),
    "terminate": (
        "people:terminate",
        N_(
            "An employment contract ends (a partner's partnership ends with it, except on "
            "retirement, economic dismissal or invalidity)."
        ),
    ),
    "timeline": (
        "reports:timeline",
        N_(
            "Each rule's status over a period (--from to --as-of): from, to, status, and the value "
            "on the last day of each period (JSON also gives it when the status began)."
        ),
    ),
    "transfer": (
        "people:transfer",
        N_(
            "A transfer of shares to another partner (cession de parts): the shares and their "
            "paid-up euros move, the capital does not change, no refund is owed; transferring "
            "every share ends the partnership."
        ),
    ),
    "users": (
        "users:users",
        N_("Users who may log in to the browser to write (serve --write)."),
    ),
    "verify": (
        "audit:verify",
        N_(
            "Recompute the hash chain over every stored event and print its head SEQ:HASH; exit 1 "
            "naming the first entry changed, missing, inserted, out of order or recorded at a time "
            "before an entry already in the log, when the chain kept in the store is missing, "
            "shorter or different, or when an anchor is not a prefix of today's chain."
        ),
    ),
    "votes": (
        "query:votes",
        N_(
            "Votes: one person, one vote; external partners capped at 35% by proportional "
            "weighting."
        ),
    ),
    "withdraw": (
        "people:withdraw",
        N_("A partial withdrawal of shares; a refund becomes owed (to withdraw all, leave)."),
    ),
}
