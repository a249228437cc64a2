using RecurrentAE.Fuzz;
using SharpFuzz;

// dotnet RecurrentAE.Fuzz.dll TARGET          : the afl-fuzz fork server (out of process, so a hang or a fatal error
//                                               restarts the child); outside afl-fuzz it reads one input from stdin.
// dotnet RecurrentAE.Fuzz.dll TARGET FILE...  : replays files, prints what each did, exits 1 if any crashed.
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine("usage: RecurrentAE.Fuzz TARGET [FILE...]; targets:");
    foreach (var t in FuzzTargets.All) Console.Error.WriteLine($"  {t.Name,-12} {t.Input}");
    return 2;
}

if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        var input = new MemoryStream();
        stream.CopyTo(input);
        FuzzTargets.Run(target, input.ToArray());
    });
    return 0;
}

Replay.InitializeTrace();
int crashed = 0;
foreach (var file in args.Skip(1))
{
    try
    {
        var outcome = FuzzTargets.Run(target, File.ReadAllBytes(file));
        Console.WriteLine($"{file}: {(outcome.Parsed ? "parsed" : "rejected: " + outcome.Message)} ({outcome.AllocatedBytes:N0} bytes allocated)");
    }
    catch (Exception e)
    {
        crashed++;
        Console.WriteLine($"{file}: CRASH {e.GetType().Name}: {e.Message}");
        Console.WriteLine(e.StackTrace);
    }
}
return crashed == 0 ? 0 : 1;
