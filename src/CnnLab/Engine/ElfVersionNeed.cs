namespace CnnLab.Engine;

/// <summary>
/// One symbol version an ELF library requires from another library (an entry of its .gnu.version_r section),
/// such as GLIBCXX_3.4.32 from libstdc++.so.6. <paramref name="FlagsOffset"/> is where the entry's flags lie in the
/// file, to mark the requirement weak.
/// </summary>
internal sealed record ElfVersionNeed(string Library, string Version, bool Weak, int FlagsOffset);
