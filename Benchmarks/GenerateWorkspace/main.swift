// generate-workspace: writes a synthetic, realistic receivables workspace of any size.
//
// Deterministic: the same arguments give the same bytes. Customers have a payment habit
// that their grade follows (A pays early, E late or never); invoices are issued over the
// year before the as-of date with log-normal amounts; payments are full, split, late, early,
// missing or unapplied; a few invoices are disputed. Only payments made by the as-of date
// are exported, as an ERP would.

import ArgumentParser
import DunCore
import Foundation

@main
struct GenerateWorkspace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-workspace",
        abstract: "Write a synthetic receivables workspace (customers, invoices, payments) for benchmarks.")

    @Option(help: "How many invoices (about 0.9 payments each).")
    var invoices = 1_000_000

    @Option(help: "How many customers (default: one per 10 invoices).")
    var customers: Int?

    @Option(help: "Seed of the random numbers: the same seed and sizes give the same bytes.")
    var seed: UInt64 = 1

    @Option(name: .customLong("as-of"), help: "The export date; invoices span the year before it.")
    var asOf = "2026-11-28"

    @Flag(
        help: """
            Write the same data as a Chinese ERP exports it: Chinese headers, amounts with thousands \
            separators in quotes ("1,234.50"), dates as 2026/11/28, disputed as 是/否 (UTF-8, and the \
            usual file names, so that only the formats differ).
            """)
    var erp = false

    @Argument(help: "The folder to write (created if missing).")
    var folder: String

    func validate() throws {
        guard invoices >= 0, (customers ?? 1) >= 1 else { throw ValidationError("sizes must be positive") }
        guard Day(iso: asOf) != nil else { throw ValidationError("--as-of must be a date like 2026-11-28") }
    }

    func run() throws {
        guard let day = Day(iso: asOf) else { return }
        let customerCount = customers ?? max(1, invoices / 10)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create the folder '\(folder)'")
        }
        var generator = Generator(seed: seed, asOf: day)
        let people = generator.customers(customerCount)
        try write(folder + "/customers.csv") { out in generator.writeCustomers(people, to: &out) }
        var paid: [PaymentRow] = []
        try write(folder + "/invoices.csv") { out in
            paid = generator.writeInvoices(invoices, customers: people, to: &out)
        }
        try write(folder + "/payments.csv") { out in generator.writePayments(paid, to: &out) }
    }

    /// Streams a file through a buffer flushed every few megabytes.
    private func write(_ path: String, _ body: (inout Output) throws -> Void) throws {
        guard let file = fopen(path, "wb") else { throw ValidationError("cannot write '\(path)'") }
        defer { fclose(file) }
        var out = Output(file: file)
        out.erp = erp
        try body(&out)
        out.flush()
        if ferror(file) != 0 { throw ValidationError("cannot write '\(path)'") }
    }
}

/// Bytes on their way to a file.
struct Output {
    let file: UnsafeMutablePointer<FILE>
    var buffer: [UInt8] = []

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
        buffer.reserveCapacity(1 << 22)
    }

    mutating func text(_ s: String) { buffer.append(contentsOf: s.utf8) }
    mutating func byte(_ b: UInt8) { buffer.append(b) }

    /// A field that may hold a comma or a quote: quoted as RFC 4180 wants.
    mutating func field(_ s: String) {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") }) else { return text(s) }
        byte(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { byte(b) }
            byte(b)
        }
        byte(UInt8(ascii: "\""))
    }

    /// A non-negative whole number, zero-padded to `width` digits.
    mutating func number(_ n: Int64, width: Int = 1) {
        var digits: [UInt8] = []
        var v = n
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(v % 10))
            v /= 10
        } while v > 0
        for _ in digits.count..<max(width, digits.count) { byte(UInt8(ascii: "0")) }
        buffer.append(contentsOf: digits.reversed())
    }

    /// Exports as a Chinese ERP writes them (`--erp`).
    var erp = false

    /// Minor units as `1234.56` (`"1,234.56"` in the ERP's style).
    mutating func cents(_ c: Int64) {
        guard erp else {
            number(c / 100)
            byte(UInt8(ascii: "."))
            number(c % 100, width: 2)
            return
        }
        byte(UInt8(ascii: "\""))
        text(Money(minor: c, currency: .cny).formatted(grouped: true))
        byte(UInt8(ascii: "\""))
    }

    mutating func date(_ d: Day) {
        guard erp else { return text(d.description) }
        let (y, m, day) = d.components
        text("\(y)/\(m < 10 ? "0" : "")\(m)/\(day < 10 ? "0" : "")\(day)")
    }

    /// A header row: the plain one, or the ERP's Chinese names.
    mutating func header(_ plain: String, erp names: String) {
        text(erp ? names : plain)
        byte(10)
    }

    mutating func endRow() {
        byte(10)
        if buffer.count >= 1 << 22 { flush() }
    }

    mutating func flush() {
        _ = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// About normal with mean 0 and deviation 1 (the sum of twelve uniforms), using only
    /// arithmetic, so that every platform draws the same numbers.
    mutating func normal() -> Double {
        var s = 0.0
        for _ in 0..<12 { s += unit() }
        return s - 6
    }
}

struct Customer {
    var id: String
    var grade: Grade
    var terms: Int64
    /// Mean days paid after the due date (negative: early).
    var lateness: Double
    /// Chance that an invoice is never paid.
    var neverPays: Double
    /// Relative size: how many invoices it gets, and how large.
    var weight: Double
}

struct PaymentRow {
    var customer: Int32
    /// Invoice row, or -1 for unapplied cash.
    var invoice: Int32
    var date: Day
    var cents: Int64
}

struct Generator {
    var random: SplitMix64
    let asOf: Day

    init(seed: UInt64, asOf: Day) {
        random = SplitMix64(seed: seed)
        self.asOf = asOf
    }

    static let regions = ["华东", "华北", "华南", "华中", "西南", "西北", "东北", "海外"]
    static let cities = ["上海", "北京", "深圳", "广州", "杭州", "苏州", "南京", "成都", "武汉", "西安", "天津", "重庆", "宁波", "青岛", "沈阳", "厦门"]
    static let trades = ["联创", "恒通", "华信", "永盛", "鑫达", "宏远", "瑞丰", "海天", "金桥", "佳美", "新世纪", "东方", "长城", "中科", "博远", "天成"]
    static let kinds = ["贸易", "机械", "电子", "物流", "化工", "建材", "食品", "医药", "科技", "纺织"]
    static let surnames = [
        "Rossi", "Müller", "Smith", "Dubois", "García", "Tanaka", "Johnson", "Schmidt", "Bianchi", "O'Brien", "Kowalski",
        "Nguyen",
    ]
    static let westernKinds = [
        "Meccanica S.p.A.", "GmbH", "Trading Ltd", "S.A.R.L.", "Industries Inc.", "& Sons", "Logistics B.V.", "Holdings, Inc.",
    ]
    static let collectors = ["李强", "王芳", "张伟", "刘洋", "陈静", "杨磊", "Emily Chen", "David Wang", "赵敏", "孙丽"]
    static let methods = ["银行转账", "承兑汇票", "支票", "wire", "支付宝"]

    mutating func customers(_ n: Int) -> [Customer] {
        (0..<n).map { i in
            // Habit first; the grade follows it, as a credit department would grade.
            let habit = random.normal() * 12 + 6 + (random.chance(0.08) ? 45 : 0)
            let grade: Grade =
                habit < 0 ? .a : habit < 10 ? .b : habit < 25 ? .c : habit < 45 ? .d : .e
            return Customer(
                id: "C" + String(i + 1).leftPadded(to: 6),
                grade: grade,
                terms: [30, 45, 60, 90][random.below(4)],
                lateness: habit,
                neverPays: grade == .e ? 0.25 : grade == .d ? 0.06 : 0.01,
                weight: Foundation.exp(random.normal() * 0.8))
        }
    }

    mutating func writeCustomers(_ customers: [Customer], to out: inout Output) {
        out.header(
            "id,name,region,grade,credit_limit,currency,terms_days,collector,email,phone,language",
            erp: "客户编号,客户名称,地区,信用等级,信用额度,币种,账期,催收员,邮箱,电话,语言")
        for c in customers {
            let chinese = random.chance(0.8)
            let name: String
            let domain: String
            if chinese {
                name = random.pick(Generator.cities) + random.pick(Generator.trades) + random.pick(Generator.kinds) + "有限公司"
                domain = "corp\(random.below(100_000)).com.cn"
            } else {
                let surname = random.pick(Generator.surnames)
                name = surname + " " + random.pick(Generator.westernKinds)
                domain = surname.lowercased().filter { $0.isASCII && $0.isLetter } + "\(random.below(1000)).com"
            }
            out.text(c.id)
            out.byte(UInt8(ascii: ","))
            out.field(name)
            out.byte(UInt8(ascii: ","))
            out.text(chinese ? random.pick(Array(Generator.regions.dropLast())) : random.pick(Generator.regions))
            out.byte(UInt8(ascii: ","))
            out.text(c.grade.description)
            out.byte(UInt8(ascii: ","))
            if !random.chance(0.05) {
                out.cents(Int64((c.weight * 200_000).rounded()) / 10_000 * 10_000 * 100 + 5_000_000)
            }
            out.text(",CNY,")
            out.number(c.terms)
            out.byte(UInt8(ascii: ","))
            out.text(random.pick(Generator.collectors))
            out.text(",ap@\(domain),")
            out.text(
                chinese
                    ? "0\(random.below(90) + 10)-\(random.below(9000) + 1000) \(random.below(9000) + 1000)"
                    : "+1 555 \(random.below(9000) + 1000)")
            out.text(chinese ? ",zh" : ",en")
            out.endRow()
        }
    }

    /// Writes the invoices in issue order and returns the payments made on them by the as-of date.
    mutating func writeInvoices(_ n: Int, customers: [Customer], to out: inout Output) -> [PaymentRow] {
        out.header("id,customer_id,issued,due,amount,currency,disputed", erp: "发票号,客户编号,开票日期,到期日,价税合计,币种,是否争议")
        // Customers drawn in proportion to their weight.
        var cumulative: [Double] = []
        var total = 0.0
        for c in customers {
            total += c.weight
            cumulative.append(total)
        }
        var payments: [PaymentRow] = []
        payments.reserveCapacity(n)
        let first = asOf.plus(-365)
        for i in 0..<n {
            let issued = first.plus(Int64(i * 365 / max(n, 1)))
            let target = random.unit() * total
            var lo = 0
            var hi = customers.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            let c = customers[lo]
            let due = issued.plus(c.terms)
            // Log-normal around 12,000 CNY, weighted by the customer's size.
            let amount = max(100, Int64((Foundation.exp(9.4 + random.normal() * 1.1) * c.weight * 100).rounded()))
            let disputed = random.chance(0.02)
            out.text(Generator.invoiceID(i))
            out.byte(UInt8(ascii: ","))
            out.text(c.id)
            out.byte(UInt8(ascii: ","))
            out.date(issued)
            out.byte(UInt8(ascii: ","))
            out.date(due)
            out.byte(UInt8(ascii: ","))
            out.cents(amount)
            out.text(disputed ? (out.erp ? ",CNY,是" : ",CNY,true") : (out.erp ? ",CNY,否" : ",CNY,false"))
            out.endRow()
            pay(
                invoice: Int32(i), customer: Int32(lo), c, issued: issued, due: due, amount: amount, disputed: disputed,
                into: &payments)
        }
        return payments
    }

    /// The payments one invoice receives: in full, split in two, short, or none.
    private mutating func pay(
        invoice: Int32, customer: Int32, _ c: Customer, issued: Day, due: Day, amount: Int64, disputed: Bool,
        into payments: inout [PaymentRow]
    ) {
        if random.chance(c.neverPays) || (disputed && random.chance(0.7)) { return }
        let delay = Int64((c.lateness + random.normal() * 8).rounded())
        // Early payers pay early, but not before the invoice exists.
        let date = max(issued.plus(1), due.plus(delay))
        let roll = random.unit()
        var parts: [(Day, Int64)]
        if roll < 0.12 {
            // Split in two, the second a few weeks later.
            let half = amount / 2
            parts = [(date, half), (date.plus(Int64(random.below(40) + 7)), amount - half)]
        } else if roll < 0.16 {
            // Short paid: a residue stays open.
            parts = [(date, amount - Int64(random.below(Int(min(amount, 5_000))) + 1))]
        } else {
            parts = [(date, amount)]
        }
        if random.chance(0.03) && date <= asOf {
            // Unapplied cash: money received that nobody matched to an invoice.
            payments.append(PaymentRow(customer: customer, invoice: -1, date: date, cents: Int64(random.below(500_000) + 100)))
        }
        for (day, cents) in parts where day <= asOf && cents > 0 {
            payments.append(PaymentRow(customer: customer, invoice: invoice, date: day, cents: cents))
        }
    }

    static func invoiceID(_ row: Int) -> String {
        "INV-" + String(row + 1).leftPadded(to: 8)
    }

    mutating func writePayments(_ rows: [PaymentRow], to out: inout Output) {
        out.header("id,customer_id,invoice_id,date,amount,method", erp: "收款单号,客户编号,发票号,收款日期,收款金额,收款方式")
        // In date order, as a bank statement is; ties keep invoice order.
        let order = rows.indices.sorted { (rows[$0].date, $0) < (rows[$1].date, $1) }
        for (k, r) in order.enumerated() {
            let p = rows[r]
            out.text("PAY-")
            out.number(Int64(k + 1), width: 8)
            out.text(",C")
            out.number(Int64(p.customer + 1), width: 6)
            out.byte(UInt8(ascii: ","))
            if p.invoice >= 0 {
                out.text(Generator.invoiceID(Int(p.invoice)))
            }
            out.byte(UInt8(ascii: ","))
            out.date(p.date)
            out.byte(UInt8(ascii: ","))
            out.cents(p.cents)
            out.byte(UInt8(ascii: ","))
            out.text(random.pick(Generator.methods))
            out.endRow()
        }
    }
}

extension Day {
    func plus(_ days: Int64) -> Day { Day(ordinal: ordinal + Int32(days)) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
