namespace Purr.Storage.Sqlite;

/// <summary>
/// The schema, created on first open; later versions only add tables, so opening an older file brings it up to date.
/// `user_version` records it. Version 3 added invites, spent_tokens and accounts (registration policies); version 4
/// the rooms' version column (compare-and-set updates), added to an older file by <see cref="AddRoomVersion"/>; version 5
/// the mailboxes' block lists (mailbox_blocks); version 6 handles and their directory listings.
/// </summary>
internal static class SqliteSchema
{
    internal const int Version = 6;

    // No creation times, no sender information: only what delivery needs.
    internal const string Create = """
        CREATE TABLE IF NOT EXISTS mailboxes (
            receive_id       BLOB PRIMARY KEY,
            send_id          BLOB NOT NULL UNIQUE,
            recipient_key    BLOB NOT NULL,
            sender_key       BLOB,
            lifetime_seconds INTEGER NOT NULL,
            quota            INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS messages (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            receive_id  BLOB NOT NULL,
            message_id  BLOB NOT NULL,
            payload     BLOB NOT NULL,
            received_at INTEGER NOT NULL,
            expires_at  INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS messages_by_mailbox ON messages (receive_id, seq);
        CREATE INDEX IF NOT EXISTS messages_by_expiry ON messages (expires_at);
        CREATE TABLE IF NOT EXISTS rooms (
            room_id BLOB PRIMARY KEY,
            listed  INTEGER NOT NULL,
            state   BLOB NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS invites (
            id          TEXT PRIMARY KEY,
            secret_hash BLOB NOT NULL UNIQUE,
            label       TEXT NOT NULL,
            tokens_left INTEGER NOT NULL,
            created_at  INTEGER NOT NULL,
            expires_at  INTEGER
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS spent_tokens (
            token_hash BLOB PRIMARY KEY
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS mailbox_blocks (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            receive_id BLOB NOT NULL,
            tag_hash   BLOB NOT NULL,
            UNIQUE (receive_id, tag_hash)
        );
        CREATE TABLE IF NOT EXISTS handles (
            name         TEXT PRIMARY KEY,
            address_link TEXT NOT NULL,
            address_key  BLOB NOT NULL UNIQUE,
            listed       INTEGER NOT NULL DEFAULT 0,
            description  TEXT NOT NULL DEFAULT '',
            free_until   INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS accounts (
            name          TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            created_at    INTEGER NOT NULL
        ) WITHOUT ROWID;
        """;

    /// <summary>Before version 4 the rooms table had no version column; every stored room starts at version 1.</summary>
    internal const string AddRoomVersion = "ALTER TABLE rooms ADD COLUMN version INTEGER NOT NULL DEFAULT 1";

    internal const string HasRoomVersion = "SELECT count(*) FROM pragma_table_info('rooms') WHERE name = 'version'";

    internal const string RecordVersion = "PRAGMA user_version = 6";
}
