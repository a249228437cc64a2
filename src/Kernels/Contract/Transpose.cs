namespace RecurrentAE.Kernels;

/// <summary>Whether a GEMM operand is used as stored (row-major) or transposed.</summary>
public enum Transpose
{
    /// <summary>The operand as stored.</summary>
    No,

    /// <summary>The operand transposed.</summary>
    Yes,
}
