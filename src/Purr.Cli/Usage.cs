namespace Purr.Cli;

internal static class Usage
{
    public const string Text = """
        usage: purr [--profile DIR] [--json] <command> ...

          init --server <purr://fingerprint@host:port> [--display-name NAME] [--no-passphrase]
                                      create a profile (default directory ~/.purr)
          invite --name NAME [--display-name NAME] [--valid-hours N] [--qr] [--out FILE] [--server ADDRESS]
                                      make a card for one new contact; prints its purr:card/ link
          accept <link-or-file> --name NAME [--display-name NAME] [--server ADDRESS]
                                      accept someone's card
          contacts                    list contacts and pending invites
          verify NAME [--qr] [--confirm]
                                      show the safety code to compare out of band; --confirm marks it verified
          send NAME TEXT              send a message
          receive [--wait SECONDS]    fetch messages (and finish handshakes); wait for one if none is waiting
          chat NAME                   talk interactively; /quit to leave
          move NAME [--server ADDRESS]
                                      move where NAME sends to you to a new mailbox
          remove NAME                 tell NAME, delete your mailboxes for them, forget them
          ping <purr://address>       check a server's key and time a round trip

          room create [--transient|--persistent] [--name NAME] [--display-name NAME] [--password P] [--flat]
                                      create a room; prints the invite link (its key is after the #)
          room join <link> --as DISPLAY-NAME [--name NAME] [--password P]
          room chat ROOM              talk; /exit [farewell] /stop /kick M /purr M TEXT /topic TEXT /members /quit
          room send ROOM TEXT         room receive ROOM [--wait SECONDS]    room members ROOM
          room whisper ROOM MEMBER TEXT    room kick ROOM MEMBER    room leave ROOM    room stop ROOM
          room list [--server ADDRESS]     the persistent rooms a server lists publicly

        The passphrase comes from PURR_PASSPHRASE or is asked for.
        """;

    public static int Print()
    {
        Console.Out.WriteLine(Text);
        return 0;
    }
}
