// Version: which Dun this is, as `dun --version` and the shell's banner say.

public enum DunVersion {
    /// Raised with each release; the minor number follows the issue that last changed Dun.
    public static let current = "0.17.0"
}
