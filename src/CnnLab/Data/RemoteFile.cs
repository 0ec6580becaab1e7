namespace CnnLab.Data;

/// <summary>A file of a published dataset: its name, the MD5 its publisher gives, and the HTTPS mirrors that serve it.</summary>
public sealed record RemoteFile(string FileName, string Md5, IReadOnlyList<string> Urls);
