package form

// The tables below are the seed's own ("Application Form" at the end of the
// access rules), label for label. Where the seed gives no Kazakh text (access
// levels O and P of user type 1) KK is empty and the English label stands
// alone, as on the official form.

// Label is a seed label in the two languages of the official form.
type Label struct {
	KK string
	EN string
}

// Bilingual renders the label as the form prints it: "kk / en".
func (l Label) Bilingual() string {
	switch {
	case l.KK == "":
		return l.EN
	case l.EN == "":
		return l.KK
	}
	return l.KK + " / " + l.EN
}

// UserType is a row of "Пайдаланушылардың түрі/User types".
type UserType struct {
	Code  int
	Label Label
}

// UserTypes are the two user types of the seed.
var UserTypes = []UserType{
	{1, Label{
		`Жылжымайтын мүлікке құқықтарды тіркеу функциясын жүзеге асыратын "Азаматтарға арналған үкімет" Мемлекеттік корпорациясы" КЕАҚ қызметкері`,
		`Officer of CJSC "State Corporation "Government for Citizens", performing the function of real estate title registration`}},
	{2, Label{
		`Объектіні техникалық тексеру функциясын жүзеге асыратын "Азаматтарға арналған үкімет" Мемлекеттік корпорациясы" КЕАҚ қызметкері`,
		`Officer of CJSC "State Corporation "Government for Citizens", performing the function of technical inspection of the object`}},
}

// Operation is a row of "Есептік жазбаға жүргізілетін әрекет типтері/Types
// of operations on the account".
type Operation struct {
	Code  int
	Label Label
}

// Operation codes, named as the seed names them.
const (
	OpBlock                        = 1
	OpRegister                     = 2
	OpChangeIP                     = 3
	OpChangeAuthority              = 4
	OpChangeAuthorityAndName       = 5
	OpChangeAuthorityNameAndAccess = 6
	OpResetPassword                = 7
	OpDismissal                    = 8
	OpUnblock                      = 9
	OpChangeName                   = 10
	OpChangeAccount                = 11
	OpChangeAccessRights           = 12
	OpChangeIIN                    = 13
)

// Operations are the 13 operation types of the seed.
var Operations = []Operation{
	{OpBlock, Label{"Пайдаланушыны бұғаттау", "To block the user"}},
	{OpRegister, Label{"Тіркеу (жұмысқа қабылдау туралы бұйрықтың болуы міндетті)", "To register (attached order of employment is mandatory)"}},
	{OpChangeIP, Label{"Компьютердің IP өзгерту", "To change IP of computer"}},
	{OpChangeAuthority, Label{"Лауазымын өзгерту", "To change authority"}},
	{OpChangeAuthorityAndName, Label{"Лауазымын және тегін өзгерту", "To change authority and name"}},
	{OpChangeAuthorityNameAndAccess, Label{"Лауазымын, тегін және қолжетімділік құқығын өзгерту", "To change authority, name and access rights"}},
	{OpResetPassword, Label{"Пайдаланушы паролін алып тастау", "Reset user password"}},
	{OpDismissal, Label{"Пайдаланушының жұмыстан босатылуы (жұмыстан босату туралы бұйрықтың болуы міндетті)", "Dismissal of user (attached order of dismissal is mandatory)"}},
	{OpUnblock, Label{"Пайдаланушыны бұғаттан алып тастау", "Unblock the user"}},
	{OpChangeName, Label{"Тегін өзгерту", "Change name"}},
	{OpChangeAccount, Label{"Есептік жазбаны өзгерту", "Change account"}},
	{OpChangeAccessRights, Label{"Қолжетімділік құқығын өзгерту", "Change access rights"}},
	{OpChangeIIN, Label{"ЖСН өзгерту", "Change IIN"}},
}

// AccessLevel is one access level of an account.
type AccessLevel struct {
	Code  string
	Label Label
}

// AccessLevelsUserType1 is "1 пайдаланушының түрі үшін есептік жазбаға
// қолжетімділік деңгейлерінің түрі / Types of access levels of accounts for
// user type 1": A–P.
var AccessLevelsUserType1 = []AccessLevel{
	{"A", Label{"VIP қолжетімділік", "VIP access"}},
	{"B", Label{"Тіркеуші", "Registrator"}},
	{"C", Label{"Аға тіркеуші", "Super registrator"}},
	{"D", Label{"Әкімші тіркеуші", "admin registrator"}},
	{"E", Label{"Тыйым салуды тіркеу", "Registration of arrest"}},
	{"F", Label{"Ақпараттық қызметтер", "Info services"}},
	{"G", Label{"Іс-жүргізуші", "Record keeper"}},
	{"H", Label{"Архивариус", "Archivist"}},
	{"I", Label{"Есептер", "Accounts"}},
	{"J", Label{"Құпия қолжетімділік", "Secret access"}},
	{"K", Label{"Сұраныстар", "Requests"}},
	{"L", Label{"ҚР бойынша сұраныстар", "Requests on RK"}},
	{"M", Label{"Арнайы қолжетімділік", "Special access"}},
	{"N", Label{"Тексеруші", "Checker"}},
	{"O", Label{"", "Transfer of cases between regions"}},
	{"P", Label{"", "Data scanning of the region"}},
}

// AccessLevelsUserType2 is "2 пайдаланушының түрі үшін есептік жазбаға
// қолжетімділік деңгейлерінің түрі / Types of access levels of accounts for
// user type 2": A–J.
var AccessLevelsUserType2 = []AccessLevel{
	{"A", Label{"VIP қолжетімділік", "VIP access"}},
	{"B", Label{"Іс-жүргізуші", "Record keeper"}},
	{"C", Label{"Архивариус", "Archivist"}},
	{"D", Label{"Есептер", "Accounts"}},
	{"E", Label{"Сұраныстар", "Requests"}},
	{"F", Label{"Тексеруші", "Checker"}},
	{"G", Label{"Техник", "Technician"}},
	{"H", Label{"Әкімші техник", "Admin technician"}},
	{"I", Label{"Әкімші салық", "Admin tax"}},
	{"J", Label{"Тапсырысты рәсімдеу", "Drawing up an order"}},
}

// AccessLevelsFor returns the access levels that exist for a user type, nil
// for an unknown type.
func AccessLevelsFor(userType int) []AccessLevel {
	switch userType {
	case 1:
		return AccessLevelsUserType1
	case 2:
		return AccessLevelsUserType2
	}
	return nil
}

// FindUserType, FindOperation and FindAccessLevel look a code up; ok is
// false for a code the seed does not have.
func FindUserType(code int) (UserType, bool) {
	for _, u := range UserTypes {
		if u.Code == code {
			return u, true
		}
	}
	return UserType{}, false
}

func FindOperation(code int) (Operation, bool) {
	for _, o := range Operations {
		if o.Code == code {
			return o, true
		}
	}
	return Operation{}, false
}

func FindAccessLevel(userType int, code string) (AccessLevel, bool) {
	for _, a := range AccessLevelsFor(userType) {
		if a.Code == code {
			return a, true
		}
	}
	return AccessLevel{}, false
}

// The form's own bilingual texts, as printed on the official form.
var (
	TitleLabel        = Label{"ӨТІНІМ", "APPLICATION"}
	SubunitLabel      = Label{"Құрылымдық бөлімше атауы (толығымен)", "Full name of structural subunit"}
	YearLabel         = Label{"жыл", "year"}
	DateLabel         = Label{"Өтініш беру күні", "Date of application filing"}
	RequestLabel      = Label{"Сізден ЖМТ МДҚ клиенттік қосымшасында пайдаланушының есептік жазбасына төменде берілген кестеге сәйкес әрекеттер жүргізуді сұраймыз", "You are kindly requested to perform operations on user account in the client application of RER SDB in accordance with the table below."}
	TableTitleLabel   = Label{"Әрекет жүргізуге сұраныс", "Application for performing operations"}
	ColNumber         = Label{"№", ""}
	ColFullName       = Label{"Тегі, Аты, Әкесінің аты (ол болған кезде)", "Full name"}
	ColIIN            = Label{"Жеке сәйкестендіру нөмірі", "Individual identification number"}
	ColIP             = Label{"Дербес компьютердің-ІР мекенжайы", "ІР address of personal computer"}
	ColUserType       = Label{"Пайдаланушының түрі", "User type"}
	ColOperation      = Label{"Әрекет типі", "Operation type"}
	ColAccessLevel    = Label{"Қолжетімділік деңгейі", "Access level"}
	ColPosition       = Label{"Лауазымы", "Position"}
	UserTypesTitle    = Label{"Пайдаланушылардың түрі", "User types"}
	OperationsTitle   = Label{"Есептік жазбаға жүргізілетін әрекет типтері", "Types of operations on the account"}
	AccessType1Title  = Label{"1 пайдаланушының түрі үшін есептік жазбаға қолжетімділік деңгейлерінің түрі", "Types of access levels of accounts for user type 1"}
	AccessType2Title  = Label{"2 пайдаланушының түрі үшін есептік жазбаға қолжетімділік деңгейлерінің түрі", "Types of access levels of accounts for user type 2"}
	AttachmentLabel   = Label{"Қосымша {n} парақта", "Attachment on {n} pages."}
	HeadLabel         = Label{"Құрылымдық бөлімшенің басшысы", "Head of structural subunit"}
	HeadPositionLabel = Label{"Жауапты қызметкердің лауазымы", "Position of responsible executive"}
	HeadFullNameLabel = Label{"Тегі, Аты, Әкесінің аты (ол болған кезде)", "Full name"}
	SignatureLabel    = Label{"Қолы", "Signature"}
	PlaceOfSealLabel  = Label{"Мөрдің орны", "Place of seal"}
)
