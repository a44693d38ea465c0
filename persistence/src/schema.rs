//! The tables, in types both backends share: ids as `Text`, times as UTC `Timestamp`,
//! lists as JSON `Text`.

diesel::table! {
    centers (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        division -> Nullable<Text>,
    }
}

diesel::table! {
    departments (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_items (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        department_id -> Text,
        category -> Text,
        handling -> Text,
        statutory_days -> Integer,
        promised_days -> Integer,
        conditions -> Text,
        materials -> Text,
        procedure_steps -> Text,
        steps_removed -> Integer,
        responsible_post -> Text,
        fee -> Text,
        fee_basis -> Text,
        legal_basis -> Text,
        rights_and_remedies -> Text,
        contact -> Text,
        complaint_channel -> Text,
        version -> Integer,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_item_versions (item_id, version) {
        item_id -> Text,
        version -> Integer,
        document -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
    }
}

diesel::table! {
    windows (id) {
        id -> Text,
        center_id -> Text,
        number -> Integer,
        name -> Text,
        kind -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    window_items (window_id, item_id) {
        window_id -> Text,
        item_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        window_id -> Nullable<Text>,
        active -> Bool,
        token_version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_years (year) {
        year -> Integer,
        document -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_revision (id) {
        id -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    regional_calendar_years (region, year) {
        region -> Text,
        year -> Integer,
        document -> Text,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(service_items -> departments (department_id));
diesel::joinable!(windows -> centers (center_id));
diesel::joinable!(window_items -> windows (window_id));
diesel::joinable!(window_items -> service_items (item_id));
diesel::joinable!(users -> windows (window_id));

diesel::table! {
    cases (id) {
        id -> Text,
        case_no -> Text,
        region -> Text,
        center_id -> Text,
        window_id -> Text,
        item_id -> Text,
        department_id -> Text,
        handling -> Text,
        statutory_days -> Integer,
        status -> Text,
        resume_to -> Nullable<Text>,
        applicant_kind -> Text,
        applicant_name -> Text,
        applicant_id_type -> Text,
        applicant_id_number -> Text,
        applicant_phone -> Text,
        note -> Text,
        refusal_reason -> Nullable<Text>,
        received_at -> Timestamp,
        received_on -> Date,
        clock -> Text,
        deadline -> Nullable<Date>,
        completed_at -> Nullable<Timestamp>,
        completed_on -> Nullable<Date>,
        on_time -> Nullable<Bool>,
        outcome -> Nullable<Text>,
        result -> Nullable<Text>,
        query_code_hash -> Text,
        accepted_by -> Text,
        version -> BigInt,
        updated_at -> Timestamp,
        received_window_id -> Text,
        received_center_id -> Text,
        overdue_from -> Nullable<Date>,
        item_version -> Integer,
        applicant_id_number_sealed -> Nullable<Text>,
        applicant_phone_sealed -> Nullable<Text>,
        applicant_id_hash -> Nullable<Text>,
        anonymised_at -> Nullable<Timestamp>,
        materials -> Text,
        materials_due_on -> Nullable<Date>,
        result_code -> Nullable<Text>,
        certificate -> Nullable<Text>,
        fees -> Text,
        sms_opt_out -> Bool,
    }
}

diesel::table! {
    case_stats (region, received_on, effective_on, center_id, window_id, item_id, department_id, clerk_id) {
        received_on -> Date,
        effective_on -> Date,
        center_id -> Text,
        window_id -> Text,
        item_id -> Text,
        department_id -> Text,
        clerk_id -> Text,
        received -> BigInt,
        immediate -> BigInt,
        committed -> BigInt,
        not_accepted -> BigInt,
        completed -> BigInt,
        completed_on_time -> BigInt,
        withdrawn -> BigInt,
        overdue_open -> BigInt,
        rated -> BigInt,
        rating_sum -> BigInt,
        rated_poor -> BigInt,
        region -> Text,
        rated_1 -> BigInt,
        rated_2 -> BigInt,
        rated_3 -> BigInt,
        rated_4 -> BigInt,
        rated_5 -> BigInt,
    }
}

diesel::table! {
    case_events (id) {
        id -> Text,
        case_id -> Text,
        seq -> BigInt,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_id -> Nullable<Text>,
        at -> Timestamp,
        payload -> Text,
        region -> Text,
    }
}

diesel::table! {
    case_sequences (region, day) {
        region -> Text,
        day -> Date,
        last_seq -> Integer,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        case_id -> Text,
        created_at -> Timestamp,
        region -> Text,
    }
}

diesel::table! {
    ratings (id) {
        id -> Text,
        case_id -> Text,
        score -> Integer,
        comment -> Text,
        rated_at -> Timestamp,
        rated_on -> Date,
        rectification_deadline -> Nullable<Date>,
        rectified_at -> Nullable<Timestamp>,
        rectified_by -> Nullable<Text>,
        rectification_note -> Nullable<Text>,
        region -> Text,
    }
}

diesel::table! {
    stats_day (region, dim, dim_id, received_on, effective_on) {
        dim -> Text,
        dim_id -> Text,
        received_on -> Date,
        effective_on -> Date,
        received -> BigInt,
        immediate -> BigInt,
        committed -> BigInt,
        not_accepted -> BigInt,
        completed -> BigInt,
        completed_on_time -> BigInt,
        withdrawn -> BigInt,
        overdue_open -> BigInt,
        rated -> BigInt,
        rating_sum -> BigInt,
        rated_poor -> BigInt,
        region -> Text,
        rated_1 -> BigInt,
        rated_2 -> BigInt,
        rated_3 -> BigInt,
        rated_4 -> BigInt,
        rated_5 -> BigInt,
    }
}

diesel::table! {
    stats_month (region, dim, dim_id, received_month, effective_month) {
        dim -> Text,
        dim_id -> Text,
        received_month -> Date,
        effective_month -> Date,
        received -> BigInt,
        immediate -> BigInt,
        committed -> BigInt,
        not_accepted -> BigInt,
        completed -> BigInt,
        completed_on_time -> BigInt,
        withdrawn -> BigInt,
        overdue_open -> BigInt,
        rated -> BigInt,
        rating_sum -> BigInt,
        rated_poor -> BigInt,
        region -> Text,
        rated_1 -> BigInt,
        rated_2 -> BigInt,
        rated_3 -> BigInt,
        rated_4 -> BigInt,
        rated_5 -> BigInt,
    }
}

diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(ratings -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    centers,
    departments,
    service_items,
    windows,
    window_items,
    users,
    calendar_years,
    cases,
    case_events,
    case_sequences,
    idempotency_keys,
    ratings,
    case_stats,
    service_item_versions,
    audit_log,
    stats_day,
    stats_month,
);

// The kiosk's lookup starts from the calendars' revision (see `repositories::cases::kiosk`).
diesel::allow_tables_to_appear_in_same_query!(calendar_revision, cases);
diesel::allow_tables_to_appear_in_same_query!(calendar_revision, service_items);
diesel::allow_tables_to_appear_in_same_query!(calendar_revision, windows);
diesel::allow_tables_to_appear_in_same_query!(calendar_revision, centers);
diesel::allow_tables_to_appear_in_same_query!(calendar_revision, case_events);
// So does intake's read of the catalogue (see `repositories::windows::intake_place`).
diesel::allow_tables_to_appear_in_same_query!(calendar_revision, window_items);

diesel::table! {
    access_log (id) {
        id -> Text,
        at -> Timestamp,
        user_id -> Text,
        case_id -> Text,
        purpose -> Text,
    }
}

diesel::table! {
    queues (id) {
        id -> Text,
        center_id -> Text,
        prefix -> Text,
        name -> Text,
        item_ids -> Text,
        window_ids -> Text,
        daily_cap -> Integer,
        opens_at -> Text,
        closes_at -> Text,
        waiting_warning -> Integer,
        no_show_policy -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ticket_sequences (queue_id, day) {
        queue_id -> Text,
        day -> Date,
        last_seq -> Integer,
    }
}

diesel::table! {
    tickets (id) {
        id -> Text,
        center_id -> Text,
        queue_id -> Text,
        issued_queue_id -> Text,
        day -> Date,
        seq -> Integer,
        number -> Text,
        status -> Text,
        priority -> Text,
        line_class -> Integer,
        in_line_since -> Timestamp,
        arrived_at -> Timestamp,
        first_called_at -> Nullable<Timestamp>,
        called_at -> Nullable<Timestamp>,
        window_id -> Nullable<Text>,
        clerk_id -> Nullable<Text>,
        ended_at -> Nullable<Timestamp>,
        recalls -> Integer,
        holder_hash -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> Text,
        ticket_id -> Text,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        queue_id -> Text,
        window_id -> Nullable<Text>,
        actor -> Nullable<Text>,
        at -> Timestamp,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    ticket_cases (ticket_id, case_id) {
        ticket_id -> Text,
        case_id -> Text,
    }
}

diesel::table! {
    window_sessions (window_id) {
        window_id -> Text,
        clerk_id -> Nullable<Text>,
        state -> Text,
        reason -> Nullable<Text>,
        since -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    window_session_spans (id) {
        id -> Text,
        window_id -> Text,
        clerk_id -> Text,
        state -> Text,
        reason -> Nullable<Text>,
        started_at -> Timestamp,
        ended_at -> Timestamp,
    }
}

diesel::table! {
    display_events (id) {
        id -> BigInt,
        center_id -> Text,
        window_id -> Nullable<Text>,
        kind -> Text,
        payload -> Text,
        at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(tickets, ticket_cases, queues, cases);

diesel::table! {
    appointment_slots (id) {
        id -> Text,
        center_id -> Text,
        item_id -> Text,
        queue_id -> Text,
        day -> Date,
        starts_at -> Text,
        ends_at -> Text,
        capacity -> Integer,
        booked -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    appointments (id) {
        id -> Text,
        slot_id -> Text,
        center_id -> Text,
        day -> Date,
        status -> Text,
        code_hash -> Text,
        id_hash -> Text,
        name_sealed -> Text,
        id_number_sealed -> Text,
        phone_sealed -> Text,
        ticket_id -> Nullable<Text>,
        created_at -> Timestamp,
        version -> BigInt,
        sms_opt_out -> Bool,
    }
}

diesel::table! {
    appointment_events (id) {
        id -> Text,
        appointment_id -> Text,
        action -> Text,
        at -> Timestamp,
        ticket_id -> Nullable<Text>,
    }
}

diesel::table! {
    notice_registers (center_id, kind, year) {
        center_id -> Text,
        kind -> Text,
        year -> Integer,
        last_seq -> Integer,
    }
}

diesel::table! {
    notices (id) {
        region -> Text,
        id -> Text,
        case_id -> Text,
        center_id -> Text,
        kind -> Text,
        year -> Integer,
        seq -> Integer,
        number -> Text,
        facts -> Text,
        template -> Text,
        sha256 -> Text,
        issued_at -> Timestamp,
        issued_on -> Date,
        issued_by -> Text,
        voided_at -> Nullable<Timestamp>,
        voided_on -> Nullable<Date>,
        voided_by -> Nullable<Text>,
        void_reason -> Nullable<Text>,
    }
}

diesel::table! {
    notice_templates (center_id, kind) {
        center_id -> Text,
        kind -> Text,
        body -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret_sealed -> Text,
        previous_secret_sealed -> Nullable<Text>,
        previous_until -> Nullable<Timestamp>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        channel -> Text,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        webhook_id -> Text,
        kind -> Text,
        case_id -> Nullable<Text>,
        ticket_id -> Nullable<Text>,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        due_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        message_id -> Text,
        webhook_id -> Text,
        attempt -> Integer,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::joinable!(outbox_messages -> webhooks (webhook_id));
diesel::allow_tables_to_appear_in_same_query!(webhooks, outbox_messages, webhook_deliveries);
