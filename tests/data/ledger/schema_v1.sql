CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE messages (
    id TEXT PRIMARY KEY,            -- also the e-mail Message-ID and the webhook's idempotency key
    addressee TEXT NOT NULL,
    channel TEXT NOT NULL,
    send_at TEXT NOT NULL,          -- the reminder time it stands for, ISO 8601 with offset
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    markdown TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'missed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    error TEXT
);
CREATE INDEX messages_state ON messages (state);
CREATE TABLE reminders (
    occurrence TEXT NOT NULL,       -- per-unit occurrence uid, as `done` takes it
    kind TEXT NOT NULL CHECK (kind IN ('remind', 'due', 'overdue')),
    slot TEXT NOT NULL,             -- the working day the reminder belongs to
    addressee TEXT NOT NULL,        -- a unit id or 'coordinator'
    channel TEXT NOT NULL,
    unit TEXT NOT NULL,
    due TEXT NOT NULL,
    message TEXT REFERENCES messages (id),
    state TEXT NOT NULL
        CHECK (state IN ('pending', 'sent', 'failed', 'missed', 'superseded', 'cancelled')),
    recorded TEXT NOT NULL,
    PRIMARY KEY (occurrence, kind, slot, addressee, channel)
);
CREATE INDEX reminders_message ON reminders (message);
CREATE TABLE done (
    occurrence TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    on_date TEXT NOT NULL,
    url TEXT,
    recorded TEXT NOT NULL
);
CREATE TABLE done_log (
    seq INTEGER PRIMARY KEY,
    occurrence TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('done', 'undone')),
    on_date TEXT,
    url TEXT,
    recorded TEXT NOT NULL
);
