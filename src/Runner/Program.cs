using RecurrentAE.Runner;

return RaeApp.Run(args, Console.Out, Console.Error);
