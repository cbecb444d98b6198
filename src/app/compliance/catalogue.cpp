#include "app/compliance/catalogue.h"

#include <array>

namespace minato::app::compliance {
namespace {

constexpr Kind P = Kind::kProduct;
constexpr Kind PO = Kind::kProductAndOrganisation;
constexpr Kind O = Kind::kOrganisation;

// Summaries: what the item asks, in a line, and (for P and P+O) how Minato meets it.
constexpr std::array kItems = {
    Item{"G1.1", "1.1", "", O,
         "Protect servers, terminals and lines against disaster and intrusion; keep spare "
         "equipment and backup media away from the main site.",
         "サーバ・端末・回線を災害と侵入から守り、予備機とバックアップ媒体を主拠点から離して保管す"
         "る。"},
    Item{"G1.2", "1.2", "", PO,
         "Manage equipment and media: custody and authorised checkout of media, labelled "
         "cables, redundant power. Minato: asset register with place and power, media loans.",
         "機器と媒体の管理（媒体の持出し承認、ケーブル表示、電源冗長化）。Minato: "
         "設置場所・電源を持つ資産台帳と媒体貸出記録。"},
    Item{"G1.3", "1.3", "", PO,
         "Set standards for remote access (devices, encryption, device and user authentication, "
         "start/stop requests, logs). Minato: TLS and MFA only, approved maintenance windows.",
         "リモートアクセスの基準（端末、暗号化、機器と利用者の認証、開始・終了の申請、ログ）を定め"
         "る。Minato: TLSと多要素認証のみ、承認された保守時間帯。"},
    Item{"G2.1.1-a", "2.1.1", "all", P,
         "Accept external connections only from authorised sources, restricted by IP address.",
         "外部接続は許可した接続元（IPアドレス）からのみ受け付ける。"},
    Item{"G2.1.1-b", "2.1.1", "5p", P,
         "Use multi-factor authentication for external connections. Minato: password plus TOTP "
         "or WebAuthn for every account.",
         "外部接続に多要素認証を用いる。Minato: 全アカウントでパスワードとTOTPまたはWebAuthn。"},
    Item{"G2.1.1-c", "2.1.1", "all", P,
         "Passwords that are hard to guess: at least 12 characters mixing upper and lower case, "
         "digits and symbols.",
         "推測されにくいパスワード（12文字以上、大文字・小文字・数字・記号の混在）。"},
    Item{"G2.1.1-d", "2.1.1", "5p", P,
         "Distribute identification codes safely under a procedure. Minato: one-time enrolment "
         "links that expire; no password is ever mailed.",
         "識別符号を手順に従い安全に配付する。Minato: "
         "有効期限付きの一回限りの登録リンク。パスワードを郵送・メールしない。"},
    Item{"G2.1.1-e", "2.1.1", "all", P, "Lock accounts after repeated failed logins.",
         "ログイン失敗が続いたアカウントをロックする。"},
    Item{
        "G2.1.1-f", "2.1.1", "all", P,
        "Detect unauthorised login attempts, e.g. mail the user when a login comes from an "
        "unusual address.",
        "不正ログインの試みを検知する（例：通常と異なる接続元からのログインを本人にメール通知）。"},
    Item{"G2.1.1-g", "2.1.1", "all/5p", P,
         "Internal servers and devices: MFA for administrators, no initial administrator "
         "credentials, complex passwords.",
         "内部のサーバ・機器：管理者の多要素認証、初期管理者IDとパスワードの変更、複雑なパスワード"
         "。"},
    Item{"G2.1.1-h", "2.1.1", "", P,
         "A formal process to register, change and delete users and rights, with requester, "
         "approver and operator.",
         "利用者と権限の登録・変更・削除を、申請者・承認者・作業者を分けた正式な手順で行う。"},
    Item{"G2.1.1-i", "2.1.1", "", P, "Review users' rights periodically.",
         "利用者の権限を定期的に見直す。"},
    Item{"G2.1.1-j", "2.1.1", "", P,
         "No administrator rights on user accounts; administrator rights split by purpose.",
         "利用者アカウントに管理者権限を与えず、管理者権限は目的別に分ける。"},
    Item{"G2.1.1-k", "2.1.1", "", P,
         "For leavers, revoke every badge and token and disable every account at once.",
         "退職者等の入館証・トークンを回収し、全アカウントを一度に無効化する。"},
    Item{"G2.1.1-l", "2.1.1", "", P,
         "Shared accounts, where unavoidable, limited to named segments or terminals.",
         "やむを得ない共用アカウントは、セグメントや端末を限定して使う。"},
    Item{"G2.1.2-a", "2.1.2", "", P,
         "Identify and authenticate according to the classification of the information.",
         "情報の格付けに応じて識別と主体認証を行う。"},
    Item{"G2.1.2-b", "2.1.2", "", PO,
         "Users know their duties and report a compromised credential at once. Minato: "
         "self-service report that locks the account.",
         "利用者が責務を理解し、認証情報の漏えいを直ちに報告する。Minato: "
         "本人による報告でアカウントを即時ロック。"},
    Item{"G2.1.2-c", "2.1.2", "", P,
         "Password strength: kinds of characters, length and validity period.",
         "パスワードの強度（文字種、長さ、有効期間）を定める。"},
    Item{"G2.1.3", "2.1.3", "", P,
         "Privilege management: verify applicants, distribute initial credentials safely, "
         "control changes of access-control data.",
         "権限管理：申請者の確認、初期認証情報の安全な配付、アクセス制御情報の変更管理。"},
    Item{"G2.2.1-a", "2.2.1", "", P, "Access control on every system that needs it.",
         "必要な全てのシステムでアクセス制御を行う。"},
    Item{"G2.2.1-b", "2.2.1", "all", P,
         "External connections: account lockout and detection of unauthorised logins.",
         "外部接続：アカウントロックと不正ログインの検知。"},
    Item{"G2.2.1-c", "2.2.1", "", O, "Firewalls even on leased lines and NAT links.",
         "専用線やNAT接続でもファイアウォールを設ける。"},
    Item{"G2.2.1-d", "2.2.1", "", P,
         "Limit access by time, concurrent sessions and terminal address; segment the network.",
         "時間帯・同時セッション数・端末のアドレスで利用を制限し、ネットワークを分離する。"},
    Item{"G2.2.1-e", "2.2.1", "", P,
         "No exploitable services (RDP, SSH, SMB) facing the internet; unused protocols off.",
         "インターネットに面してRDP・SSH・SMB等を公開せず、不要なプロトコルを止める。"},
    Item{"G2.2.1-f", "2.2.1", "", P, "Plan for denial of service on internet-facing services.",
         "インターネットに面したサービスのDoS対策を講じる。"},
    Item{"G2.2.1-g", "2.2.1", "", P,
         "Log failed logins, tell security staff of repeated failures, lock on rapid failures.",
         "ログイン失敗を記録し、繰り返しの失敗を担当者に通知し、短時間の連続失敗でロックする。"},
    Item{"G2.2.2-a", "2.2.2", "all", P, "Change vendors' default passwords before use.",
         "製品の初期パスワードを使用前に変更する。"},
    Item{"G2.2.2-b", "2.2.2", "", P, "Minimum length and complexity for each use of a password.",
         "用途ごとにパスワードの最小長と複雑さを定める。"},
    Item{"G2.2.2-c", "2.2.2", "", P, "Unique passwords, not reused.", "パスワードを使い回さない。"},
    Item{"G2.2.2-d", "2.2.2", "", P,
         "Multi-factor authentication, hardware-based where possible; avoid SMS.",
         "多要素認証（可能ならハードウェア方式）。SMSは避ける。"},
    Item{"G2.2.2-e", "2.2.2", "", P, "Show users their login history.", "ログイン履歴を表示する。"},
    Item{"G2.2.2-f", "2.2.2", "", P,
         "Watch authentication logs and block offending source addresses.",
         "認証ログを監視し、不審な接続元を遮断する。"},
    Item{"G2.2.2-g", "2.2.2", "", P, "Stop or delete accounts left unused for long.",
         "長期間使われていないアカウントを停止・削除する。"},
    Item{"G2.3-a", "2.3", "", P,
         "Encryption and electronic signatures where the information's classification needs them.",
         "情報の格付けに応じて暗号化と電子署名を用いる。"},
    Item{"G2.3-b", "2.3", "", P, "Choose algorithms by their strength.",
         "強度に基づいて暗号アルゴリズムを選ぶ。"},
    Item{"G2.3-c", "2.3", "", P,
         "Key management: generation, storage, expiry, disposal, rotation, compromise, backup.",
         "鍵管理：生成・保管・有効期限・廃棄・更新・危殆化時の手順・鍵のバックアップ。"},
    Item{"G2.3-d", "2.3", "", P, "TLS for data in transit; find and replace weak cryptography.",
         "通信をTLSで保護し、弱い暗号設定を見つけて置き換える。"},
    Item{"G2.3-e", "2.3", "", O,
         "Control systems that cannot encrypt: watch their logs and traffic instead.",
         "暗号化できない制御系は、ログと通信の監視で補う。"},
    Item{"G2.4-a", "2.4", "", P,
         "Redundant configuration where needed. Minato: PostgreSQL with a synchronous standby.",
         "必要に応じて冗長構成とする。Minato: 同期スタンバイ付きPostgreSQL。"},
    Item{"G2.4-b", "2.4", "", P,
         "A standby system to continue business after a cyber attack. Minato: off-system "
         "backups and the continuity snapshot of the yard.",
         "サイバー攻撃後も業務を続けるための予備系。Minato: "
         "システム外バックアップとヤードの業務継続スナップショット。"},
    Item{"G2.4-c", "2.4", "", PO,
         "Defences against denial of service: filtering, short handshake timeouts, flood "
         "defence, WAF.",
         "DoS対策：パケットフィルタ、短いハンドシェイク時間、フラッド対策、WAF。"},
    Item{"G2.5-a", "2.5", "", P,
         "Entry measures: stop unneeded services; keep inbound and outbound traffic minimal.",
         "入口対策：不要なサービスを止め、送受信する通信を最小限にする。"},
    Item{"G2.5-b", "2.5", "", PO,
         "Internal measures: critical servers in their own segment, no unneeded administrator "
         "accounts, strong administrator passwords, EDR.",
         "内部対策：重要サーバを別セグメントに置き、不要な管理者アカウントを削除し、強い管理者パス"
         "ワードとEDRを用いる。"},
    Item{"G2.6.1-a", "2.6.1", "", P,
         "Configuration and change management of every component, with work records (date, "
         "device, work, worker).",
         "全構成要素の構成・変更管理と作業記録（日付、機器、作業、作業者）。"},
    Item{"G2.6.1-b", "2.6.1", "", P,
         "Survey the software on each component periodically and correct what is wrong.",
         "各構成要素のソフトウェアを定期的に調べ、不適切な状態を是正する。"},
    Item{"G2.6.1-c", "2.6.1", "", PO, "Erase all data when a component is decommissioned.",
         "構成要素の廃棄時に全データを消去する。"},
    Item{"G2.6.1-d", "2.6.1", "", P, "Monitor security state and load; detect misuse.",
         "セキュリティ状態と負荷を監視し、不正利用を検知する。"},
    Item{"G2.6.2", "2.6.2", "", P,
         "Monitor the system so that misuse can be found and traced; keep maintenance records.",
         "不正利用を発見・追跡できるよう監視し、保守作業の記録を残す。"},
    Item{"G2.6.3", "2.6.3", "", P, "On replacement or disposal: migrate securely and erase.",
         "更改・廃棄時に安全に移行し、データを消去する。"},
    Item{"G2.6.4", "2.6.4", "", PO, "Manage data by risk assessment, including where it is stored.",
         "リスク評価に基づき、保存場所を含めてデータを管理する。"},
    Item{"G2.7.1-a", "2.7.1", "all", PO,
         "Network devices: current software, logs taken and kept off-system, replace a device "
         "used as a stepping stone.",
         "ネットワーク機器：ソフトウェアを最新に保ち、ログをシステム外に保管し、踏み台にされた機器"
         "を交換する。"},
    Item{"G2.7.1-b", "2.7.1", "all", PO,
         "Servers: security software with current signatures, logs off-system, software updates.",
         "サーバ：最新の定義ファイルを持つセキュリティソフト、ログのシステム外保管、ソフトウェア更"
         "新。"},
    Item{"G2.7.1-c", "2.7.1", "5p", P,
         "Scan USB and other external media on a terminal separated from the TOS before use.",
         "USB等の外部媒体は、TOSから分離した端末で使用前に検査する。"},
    Item{"G2.7.1-d", "2.7.1", "", PO,
         "Macros and embedded code off by default; content filtering; isolated backups; logs.",
         "マクロ等の埋め込みコードを既定で無効化し、コンテンツを選別し、バックアップを隔離し、ログ"
         "を残す。"},
    Item{"G2.7.2-a", "2.7.2", "all", P,
         "Back up system programs, dynamic data (container information) and system logs.",
         "システムプログラム、動的データ（コンテナ情報）、システムログをバックアップする。"},
    Item{"G2.7.2-b", "2.7.2", "all", P, "Set the backup frequency for each target.",
         "対象ごとにバックアップ頻度を定める。"},
    Item{"G2.7.2-c", "2.7.2", "all", P,
         "Keep several generations, including weeks-old ones (malware may lie dormant).",
         "数週間前のものを含む複数世代を保管する（マルウェアの潜伏に備える）。"},
    Item{"G2.7.2-d", "2.7.2", "all", P, "Keep backups apart from the live system.",
         "バックアップを稼働中のシステムから切り離して保管する。"},
    Item{"G2.7.2-e", "2.7.2", "", P, "Keep backups confidential and tamper-proof.",
         "バックアップの機密性を保ち、改ざんを防ぐ。"},
    Item{"G2.7.2-f", "2.7.2", "", P, "Test restoring from backups regularly, at least yearly.",
         "少なくとも年1回、バックアップからの復元を試験する。"},
    Item{"G2.7.3-a", "2.7.3", "", P,
         "Take logs that show normal operation and reveal unauthorised access, with designed "
         "fields per event.",
         "正常な稼働の確認と不正アクセスの検知に必要な項目を持つログを取得する。"},
    Item{"G2.7.3-b", "2.7.3", "all", P,
         "Take server and network-device logs regularly and keep them off-system.",
         "サーバとネットワーク機器のログを定期的に取得し、システム外に保管する。"},
    Item{"G2.7.3-c", "2.7.3", "", P, "Tell staff when an important log source stops.",
         "重要なログの取得が止まったら担当者に通知する。"},
    Item{"G2.7.3-d", "2.7.3", "", P,
         "Protect logs from tampering and deletion; check them periodically.",
         "ログを改ざん・削除から守り、定期的に確認する。"},
    Item{"G2.7.3-e", "2.7.3", "", P,
         "Store logs centrally; only authorised administrators read them; keep them as the "
         "policy says.",
         "ログを集中保管し、権限のある管理者のみが閲覧し、方針に従って保存する。"},
    Item{"G2.7.4", "2.7.4", "all", P,
         "Know the settings; keep software supported; authorised, tested updates with rollback "
         "and a record.",
         "設定を把握し、サポート中のソフトウェアを使い、承認・試験された更新を切り戻し手段と記録付"
         "きで行う。"},
    Item{"G2.7.5", "2.7.5", "", P,
         "Vulnerability management: collect information, plan each fix, scan, apply authentic "
         "patches or compensating controls.",
         "脆弱性管理：情報収集、脆弱性ごとの対応計画、検査、正規のパッチ適用または代替策。"},
    Item{"G2.7.6", "2.7.6", "", PO, "E-mail: STARTTLS and DMARC where integrity matters.",
         "電子メール：完全性が重要な場合はSTARTTLSとDMARCを用いる。"},
    Item{"G3.1-a", "3.1", "", P,
         "Carry out the contingency plan: grasp the situation, stop the spread, recover, "
         "escalate.",
         "コンティンジェンシープランを実行する（状況把握、拡大防止、早期復旧、報告）。"},
    Item{"G3.1-b", "3.1", "", P, "Collect and analyse logs and records to find the cause.",
         "原因究明のためにログと記録を収集・分析する。"},
    Item{"G3.1-c", "3.1", "", P,
         "Contain and recover: first response, notification, containment, recovery, review.",
         "封じ込めと復旧：初動対応、通知、封じ込め、復旧、事後対応。"},
    Item{"A1.1", "annex-1.1", "", P,
         "Security by design, without spoiling the performance the business needs.",
         "設計段階からのセキュリティ確保。ただし業務に必要な性能を損なわない。"},
    Item{"A1.2.1", "annex-1.2.1", "", P,
         "Specify the security functions and their management; software supported until the "
         "next renewal; validate input and output.",
         "セキュリティ機能とその管理機能を定め、次の更改までサポートされるソフトウェアを使い、入出"
         "力を検証する。"},
    Item{"A1.2.2", "annex-1.2.2", "", P, "Acceptance inspection proves the security requirements.",
         "受入検査でセキュリティ要件を確認する。"},
    Item{"A1.3.1–3", "annex-1.3", "", PO,
         "Terminals, servers, printers and IoT: allowed software, an asset ledger (serial, OS, "
         "applications, patches, user, place), updates.",
         "端末・サーバ・複合機・IoT機器：許可ソフトウェア、資産台帳（製造番号、OS、アプリ、パッチ、"
         "利用者、設置場所）、更新。"},
    Item{"A1.3.4", "annex-1.3.4", "", P,
         "Supply chain: check on acceptance that no malware is mixed in.",
         "サプライチェーン：受入時に不正プログラムの混入がないことを確認する。"},
    Item{"A1.4.2", "annex-1.4.2", "", P,
         "Web applications free of the listed vulnerability classes; TLS with a server "
         "certificate.",
         "ウェブアプリケーションに列挙された脆弱性がなく、サーバ証明書付きTLSを用いる。"},
    Item{"A1.4.4", "annex-1.4.4", "", P,
         "Database: administrator privileges managed, access traceable, manipulation detected, "
         "encrypted connections.",
         "データベース：管理者権限の管理、アクセス者の特定、不正操作の検知、通信の暗号化。"},
    Item{"A1.5", "annex-1.5", "", PO,
         "Networks: approved connections, segmentation, encryption, device authentication, "
         "secure maintenance access, explicit IPv6 control.",
         "通信回線：承認された接続、分離、暗号化、機器認証、保守経路の保護、IPv6の明示的な管理。"},
    Item{"A1.5.2", "annex-1.5.2", "", P,
         "Remote access: start/stop procedure, credentials, encryption, device and user "
         "authentication, logs, limited reach.",
         "リモートアクセス：開始・終了手順、認証情報、暗号化、機器と利用者の認証、ログ、到達範囲の"
         "限定。"},
};

struct Section {
  std::string_view id, en, ja;
};
constexpr std::array kSections = {
    Section{"1.1", "Equipment protected against disaster",
            "災害による障害の発生しにくい設備の設置及び管理"},
    Section{"1.2", "Equipment management", "装置の管理"},
    Section{"1.3", "Standards for remote access", "リモートアクセス環境導入に関する対策基準の策定"},
    Section{"2.1.1", "User access management", "利用者アクセスの管理"},
    Section{"2.1.2", "Authentication", "主体認証機能"},
    Section{"2.1.3", "Privilege management", "権限管理機能"},
    Section{"2.2.1", "Access control", "アクセス制御機能"},
    Section{"2.2.2", "Password management", "パスワード管理"},
    Section{"2.3", "Cryptography", "暗号を活用した情報管理"},
    Section{"2.4", "Load distribution and redundancy", "負荷分散・冗長化"},
    Section{"2.5", "Defence in depth", "多層防御"},
    Section{"2.6.1", "Operation of the system's components", "情報システムの構成要素の運用"},
    Section{"2.6.2", "Monitoring the system", "情報システムの監視"},
    Section{"2.6.3", "Replacement and disposal", "情報システムの更改・廃棄時の措置"},
    Section{"2.6.4", "Data management", "データ管理"},
    Section{"2.7.1", "Protection from malware", "マルウェアからの保護"},
    Section{"2.7.2", "Backups", "バックアップ"},
    Section{"2.7.3", "Logging", "ログ取得"},
    Section{"2.7.4", "Operating software", "運用ソフトウェアの管理"},
    Section{"2.7.5", "Vulnerability management", "脆弱性の管理"},
    Section{"2.7.6", "E-mail", "電子メール運用時の対策"},
    Section{"3.1", "Contingency plan in an incident",
            "インシデント発生時のコンティンジェンシープランの実行"},
    Section{"annex-1.1", "Requirements for acquisition and development",
            "情報システムの取得・開発・改善における要求事項の確認"},
    Section{"annex-1.2.1", "Planning and requirements", "情報システム企画・要件定義"},
    Section{"annex-1.2.2", "Construction", "情報システムの構築"},
    Section{"annex-1.3", "Terminals, servers, printers and IoT devices",
            "端末、サーバ装置、複合機及び特定用途機器"},
    Section{"annex-1.3.4", "Procurement of devices",
            "端末、サーバ装置、複合機及び特定用途機器の調達"},
    Section{"annex-1.4.2", "Web", "ウェブ"},
    Section{"annex-1.4.4", "Database", "データベース"},
    Section{"annex-1.5", "Lines and line devices", "通信回線及び通信回線装置"},
    Section{"annex-1.5.2", "Remote access", "リモートアクセス環境導入時の対策"},
};

}  // namespace

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::kProduct:
      return "P";
    case Kind::kProductAndOrganisation:
      return "P+O";
    case Kind::kOrganisation:
      return "O";
  }
  return "P";
}

std::span<const Item> catalogue() { return kItems; }

const Item* find_item(std::string_view id) {
  for (const auto& i : kItems) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

std::string_view section_title(std::string_view section, bool ja) {
  for (const auto& s : kSections) {
    if (s.id == section) return ja ? s.ja : s.en;
  }
  return "";
}

std::string section_label(std::string_view section, bool ja) {
  if (section.starts_with("annex-")) {
    return std::string(ja ? "別紙1 " : "Annex 1, ") + std::string(section.substr(6));
  }
  return std::string(section);
}

std::string_view law_text(std::string_view law, bool ja) {
  if (law == "all") return ja ? "全港湾で義務" : "mandatory at every port";
  if (law == "5p") return ja ? "五大港で義務" : "mandatory at the five ports";
  if (law == "all/5p") {
    return ja ? "全港湾で義務（一部は五大港）" : "mandatory at every port (part at the five ports)";
  }
  return ja ? "推奨" : "recommended";
}

}  // namespace minato::app::compliance
