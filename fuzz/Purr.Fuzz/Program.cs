using Purr.Fuzz;
using SharpFuzz;

// purr-fuzz TARGET: runs one fuzz target under afl-fuzz (SharpFuzz's out-of-process mode).
// purr-fuzz TARGET FILE...: runs the target once on each file, in process (corpus replay, crash triage).
// purr-fuzz seeds DIR: writes the seed corpus.
// Targets and what each may throw are in FuzzTargets.cs; anything else is a bug.
if (args is ["seeds", var corpus])
{
    Seeds.Write(corpus);
    return 0;
}

if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: purr-fuzz ({string.Join(" | ", FuzzTargets.All.Keys)}) [FILE...]");
    return 2;
}

if (args.Length > 1)
{
    foreach (var file in args[1..])
    {
        target(File.ReadAllBytes(file));
    }

    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
