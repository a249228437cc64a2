using System.Runtime.CompilerServices;

// ILGPU generates its kernel launchers in a dynamic assembly named ILGPURuntime; the kernels' parameter structs are internal.
[assembly: InternalsVisibleTo("ILGPURuntime")]
