// The progress bar: silent for half a second, then at most ten drawings a second, erased at the end.

import Synchronization
import Testing

@testable import Dun

final class FakeTerminal: Sendable {
    let clock = Mutex(ContinuousClock.now)
    let written = Mutex<[String]>([])

    func advance(_ d: Swift.Duration) { clock.withLock { $0 = $0 + d } }
}

@Suite struct ProgressBarTests {
    @Test func quietAtFirstThenThrottledThenErased() {
        let terminal = FakeTerminal()
        let bar = ProgressBar(
            total: 200_000_000, now: { terminal.clock.withLock { $0 } }, write: { s in terminal.written.withLock { $0.append(s) } })
        bar.advance(bytes: 50_000_000, records: 400_000)
        terminal.advance(.milliseconds(400))
        bar.advance(bytes: 10_000_000, records: 100_000)
        #expect(terminal.written.withLock { $0 }.isEmpty)

        terminal.advance(.milliseconds(100))
        bar.advance(bytes: 40_000_000, records: 500_000)
        terminal.advance(.milliseconds(50))
        bar.advance(bytes: 1, records: 0)
        #expect(terminal.written.withLock { $0 } == ["\rloading  100.0 / 200.0 MB  [############            ]  2.0M rows/s\u{1B}[K"])

        terminal.advance(.milliseconds(60))
        bar.advance(bytes: 0, records: 0)
        #expect(terminal.written.withLock { $0.count } == 2)
        bar.finish()
        #expect(terminal.written.withLock { $0.last } == "\r\u{1B}[K")
    }

    @Test func aShortLoadDrawsNothingAndErasesNothing() {
        let terminal = FakeTerminal()
        let bar = ProgressBar(total: 10, now: { terminal.clock.withLock { $0 } }, write: { s in terminal.written.withLock { $0.append(s) } })
        bar.advance(bytes: 10, records: 1)
        bar.finish()
        #expect(terminal.written.withLock { $0 }.isEmpty)
    }

    @Test func slowRatesInThousands() {
        #expect(ProgressBar.line(bytes: 0, of: 0, records: 1500, in: .seconds(1)).hasSuffix("[                        ]  2k rows/s\u{1B}[K"))
    }
}
