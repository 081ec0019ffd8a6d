"""Column layouts of the PUBINFO tables we read, in file order (official load scripts).

Knowing the exact column count per table is how a layout change in the bulk data is caught:
a row with another count is an error naming the file and line, never silently shifted data.
"""

from __future__ import annotations

TABLES: dict[str, tuple[str, ...]] = {
    "BILL_TBL": (
        "bill_id", "session_year", "session_num", "measure_type", "measure_num",
        "measure_state", "chapter_year", "chapter_type", "chapter_session_num", "chapter_num",
        "latest_bill_version_id", "active_flg", "trans_uid", "trans_update", "current_location",
        "current_secondary_loc", "current_house", "current_status", "days_31st_in_print",
    ),
    "BILL_VERSION_TBL": (
        "bill_version_id", "bill_id", "version_num", "bill_version_action_date",
        "bill_version_action", "request_num", "subject", "vote_required", "appropriation",
        "fiscal_committee", "local_program", "substantive_changes", "urgency", "taxlevy",
        "bill_xml", "active_flg", "trans_uid", "trans_update",
    ),
    "BILL_VERSION_AUTHORS_TBL": (
        "bill_version_id", "type", "house", "name", "contribution", "committee_members",
        "active_flg", "trans_uid", "trans_update", "primary_author_flg",
    ),
    "BILL_HISTORY_TBL": (
        "bill_id", "bill_history_id", "action_date", "action", "trans_uid", "trans_update_dt",
        "action_sequence", "action_code", "action_status", "primary_location",
        "secondary_location", "ternary_location", "end_status",
    ),
    "BILL_SUMMARY_VOTE_TBL": (
        "bill_id", "location_code", "vote_date_time", "vote_date_seq", "motion_id", "ayes",
        "noes", "abstain", "vote_result", "trans_uid", "trans_update", "file_item_num",
        "file_location", "display_lines", "session_date",
    ),
    "BILL_DETAIL_VOTE_TBL": (
        "bill_id", "location_code", "legislator_name", "vote_date_time", "vote_date_seq",
        "vote_code", "motion_id", "trans_uid", "trans_update", "member_order", "session_date",
        "speaker",
    ),
    "BILL_MOTION_TBL": ("motion_id", "motion_text", "trans_uid", "trans_update"),
    "COMMITTEE_HEARING_TBL": (
        "bill_id", "committee_type", "committee_nr", "hearing_date", "location_code",
        "trans_uid", "trans_update_date",
    ),
    "LOCATION_CODE_TBL": (
        "session_year", "location_code", "location_type", "consent_calendar_code",
        "description", "long_description", "active_flg", "trans_uid", "trans_update",
        "inactive_file_flg",
    ),
    "LEGISLATOR_TBL": (
        "district", "session_year", "legislator_name", "house_type", "author_name",
        "first_name", "last_name", "middle_initial", "name_suffix", "name_title",
        "web_name_title", "party", "active_flg", "trans_uid", "trans_update",
        "active_legislator",
    ),
    "VETO_MESSAGE_TBL": ("bill_id", "veto_date", "message", "trans_uid", "trans_update"),
}

# Tables we know exist in PUBINFO but do not use; present files are skipped without a warning.
IGNORED = {
    "BILL_ANALYSIS_TBL", "CODES_TBL", "COMMITTEE_AGENDA_TBL", "DAILY_FILE_TBL",
    "LAW_SECTION_TBL", "LAW_TOC_TBL", "LAW_TOC_SECTIONS_TBL",
}
