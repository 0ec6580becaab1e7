namespace CnnLab.Studies.Experiments;

/// <summary>A study file that cannot be used: the message names the file, the line and what is allowed.</summary>
public sealed class StudyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StudyFileException(string message)
        : base(message)
    {
    }
}
