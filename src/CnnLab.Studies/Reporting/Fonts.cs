using SkiaSharp;

namespace CnnLab.Studies.Reporting;

/// <summary>A sans-serif typeface that exists: DejaVu Sans by name or file, else Skia's default.</summary>
internal static class Fonts
{
    public static SKTypeface Sans()
    {
        var byName = SKTypeface.FromFamilyName("DejaVu Sans");
        if (byName is not null && byName.FamilyName == "DejaVu Sans")
        {
            return byName;
        }
        const string file = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
        return File.Exists(file) ? SKTypeface.FromFile(file) : byName ?? SKTypeface.Default;
    }
}
