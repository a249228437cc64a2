using RecurrentAE.Model.Distributed;
using RecurrentAE.Runner;

int code = RaeApp.Run(args, Console.Out, Console.Error);
MpiLaunch.Shutdown(); // MPI_Finalize under mpirun (nothing otherwise)
return code;
