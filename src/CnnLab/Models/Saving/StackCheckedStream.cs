using System.Runtime.CompilerServices;

namespace CnnLab.Models.Saving;

/// <summary>
/// A read-only view of an HDF5 file that fails a read once the thread's stack runs low. PureHDF 2.2 resolves a soft link
/// by resolving the path it names, with no bound, so a link that names itself, or a cycle of links, recurses until
/// the process dies of a stack overflow, which no handler can catch. Each step of that recursion reads the file, so the
/// check here ends it with an exception while enough stack is left to unwind; <see cref="Exhausted"/> tells the caller
/// why PureHDF then failed.
/// </summary>
internal sealed class StackCheckedStream(Stream inner) : Stream
{
    /// <summary>True once a read was refused for lack of stack.</summary>
    public bool Exhausted { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count)
    {
        Check();
        return inner.Read(buffer, offset, count);
    }

    public override int Read(Span<byte> buffer)
    {
        Check();
        return inner.Read(buffer);
    }

    public override int ReadByte()
    {
        Check();
        return inner.ReadByte();
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    private void Check()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Exhausted = true;
            throw new InsufficientExecutionStackException("The HDF5 links nest without end.");
        }
    }
}
