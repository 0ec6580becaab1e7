using System.Globalization;

namespace CnnLab.Data;

/// <summary>
/// Reads a CSV file one field at a time, never holding more than one field: a field longer than
/// <see cref="MaxFieldLength"/> characters is refused as soon as it is met, with its line, so a huge or binary
/// line costs no memory. The caller bounds the number of columns in its <see cref="FieldHandler"/>.
/// </summary>
internal sealed class CsvFieldReader : IDisposable
{
    /// <summary>
    /// Most characters in one field: room for a header name such as "pixel784" or an integer with spaces; a label or a
    /// pixel value needs at most 3.
    /// </summary>
    public const int MaxFieldLength = 64;

    private readonly TextReader _reader;
    private readonly string _path;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly char[] _field = new char[MaxFieldLength];
    private int _position;
    private int _length;

    public CsvFieldReader(string path)
    {
        _path = path;
        _reader = new StreamReader(path);
    }

    /// <summary>Receives field <paramref name="column"/> (0-based) of the current line.</summary>
    public delegate void FieldHandler(int column, ReadOnlySpan<char> text);

    /// <summary>The 1-based number of the line last read.</summary>
    public int Line { get; private set; }

    /// <summary>Reads the next line, passing each field to <paramref name="handler"/>;
    /// returns its field count, 0 for an empty line, -1 at the end.</summary>
    public int ReadLine(FieldHandler handler)
    {
        if (Peek() < 0)
        {
            return -1;
        }
        Line++;
        var column = 0;
        var length = 0;
        var content = false;
        while (true)
        {
            var c = Next();
            if (c is < 0 or '\n')
            {
                if (!content)
                {
                    return 0;
                }
                handler(column, _field.AsSpan(0, length));
                return column + 1;
            }
            if (c == '\r')
            {
                continue;
            }
            content = true;
            if (c == ',')
            {
                handler(column, _field.AsSpan(0, length));
                column++;
                length = 0;
                continue;
            }
            if (length == MaxFieldLength)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{_path}: row {Line}, column {column + 1} is longer than {MaxFieldLength} characters; expected an integer label or " +
                    $"pixel value " +
                    $"(or a short header name). Is it a CSV of label,pixel1,...,pixelN rows?"));
            }
            _field[length++] = (char)c;
        }
    }

    public void Dispose() => _reader.Dispose();

    private int Peek()
    {
        if (_position == _length)
        {
            _length = _reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
        }
        return _length == 0 ? -1 : _buffer[_position];
    }

    private int Next()
    {
        var c = Peek();
        if (c >= 0)
        {
            _position++;
        }
        return c;
    }
}
