namespace CnnLab.Studies.Search;

/// <summary>
/// Training time as a second objective: the trials no other trial beats on both score and seconds. A user who can
/// spend more time reads along the front for what each extra second buys; everything off it is worse on one count
/// and no better on the other.
/// </summary>
public static class ParetoFront
{
    /// <summary>
    /// The points of <paramref name="points"/> that are not dominated (another point at least as good on both and
    /// better on one; higher score and fewer seconds are better), ordered by seconds. Of points equal on both, the first
    /// given is kept, so a front never lists one result twice.
    /// </summary>
    public static IReadOnlyList<T> Of<T>(IReadOnlyList<T> points, Func<T, double> score, Func<T, double> seconds)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(seconds);
        var front = new List<T>();
        var best = double.NegativeInfinity;
        // By seconds, then best score first: a point is on the front when it scores above every faster one.
        foreach (var point in points.Select((p, i) => (Point: p, Index: i))
                     .Where(p => double.IsFinite(score(p.Point)) && double.IsFinite(seconds(p.Point)))
                     .OrderBy(p => seconds(p.Point)).ThenByDescending(p => score(p.Point)).ThenBy(p => p.Index))
        {
            if (score(point.Point) > best)
            {
                front.Add(point.Point);
                best = score(point.Point);
            }
        }
        return front;
    }
}
