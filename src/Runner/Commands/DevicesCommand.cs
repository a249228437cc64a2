using System.CommandLine;

namespace RecurrentAE.Runner.Commands;

/// <summary><c>rae devices</c>: the accelerators this machine offers.</summary>
internal static class DevicesCommand
{
    public static Command Create(RaeContext ctx)
    {
        var command = new Command("devices", "List the compute devices (for --accelerator)");
        command.SetAction(_ =>
        {
            foreach (var d in BackendFactory.ListDevices()) ctx.Out.WriteLine(d);
            return RaeApp.Ok;
        });
        return command;
    }
}
