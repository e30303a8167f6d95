// Name pools for the demo schools: families of many origins, spelt as families spell them (accents,
// apostrophes, hyphens, particles). Invented combinations only: no real person's data.
// A surname written 'Kowalski/Kowalska' takes its first form for boys and men, its second for girls
// and women.

export type Sex = 'M' | 'F';

export interface Origin {
  key: string;
  /** Relative share of families (a diverse English town). */
  weight: number;
  /** DfE ethnicity codes with relative weights. */
  ethnicity: Record<string, number>;
  /** DfE first-language code when the child has English as an additional language. */
  languages: Record<string, number>;
  /** Chance that a child of this origin has English as an additional language. */
  eal: number;
  boys: readonly string[];
  girls: readonly string[];
  surnames: readonly string[];
  /** Chance of a middle name, and where middle names come from when not the forename pools. */
  middleNameChance: number;
  middleBoys?: readonly string[];
  middleGirls?: readonly string[];
  /** Names some children of this origin go by at school. */
  preferredBoys?: readonly string[];
  preferredGirls?: readonly string[];
  preferredChance?: number;
}

export const ORIGINS: readonly Origin[] = [
  {
    key: 'british',
    weight: 68,
    ethnicity: { WBRI: 90, MWBC: 4, MWAS: 2, MOTH: 2, WOTH: 2 },
    languages: {},
    eal: 0,
    boys: ['Oliver', 'George', 'Harry', 'Noah', 'Jack', 'Leo', 'Arthur', 'Oscar', 'Charlie', 'Freddie', 'Alfie', 'Theo', 'Thomas', 'Joshua', 'James', 'William', 'Jacob', 'Alexander', 'Archie', 'Reuben', 'Finley', 'Louis', 'Harrison', 'Kai', 'Tyler', 'Ethan', 'Mason', 'Riley', 'Callum', 'Lewis', 'Rhys', 'Dylan', 'Ewan', 'Jayden', 'Samuel', 'Benjamin', 'Max', 'Toby', 'Elliot', 'Owen'],
    girls: ['Olivia', 'Amelia', 'Isla', 'Ava', 'Ivy', 'Freya', 'Lily', 'Florence', 'Mia', 'Willow', 'Rosie', 'Sophia', 'Isabella', 'Grace', 'Daisy', 'Evie', 'Poppy', 'Ruby', 'Chloë', 'Zoë', 'Phoebe', 'Imogen', 'Megan', 'Ellie', 'Bethany', 'Seren', 'Eilidh', 'Kayleigh', 'Jessica', 'Emily', 'Harriet', 'Matilda', 'Erin', 'Esmé', 'Lucy', 'Hannah'],
    surnames: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Hughes', 'Edwards', 'Turner', 'Hill', 'Cooper', 'Ward', 'Morris', 'Harris', 'Baker', 'Lewis', 'Shaw', 'Price', 'Bennett', 'Fletcher', 'McAllister', 'MacDonald', 'Campbell', 'Fraser', 'Griffiths', 'Lloyd', 'Pritchard', 'Ashworth', 'Whitfield', 'Hargreaves', 'Armitage', 'Sutcliffe', 'Holloway', 'Pemberton', 'ap Rhys', 'Ellis', 'Marsh'],
    middleNameChance: 0.55,
    preferredBoys: ['Alex', 'Tom', 'Josh', 'Jake', 'Will', 'Ben', 'Sam', 'Alfie', 'Harry'],
    preferredGirls: ['Bella', 'Jess', 'Beth', 'Millie', 'Evie', 'Izzy', 'Lottie'],
    preferredChance: 0.06,
  },
  {
    key: 'irish',
    weight: 4,
    ethnicity: { WIRI: 92, WBRI: 8 },
    languages: {},
    eal: 0,
    boys: ['Seán', 'Cian', 'Oisín', 'Darragh', 'Cillian', 'Conor', 'Pádraig', 'Ciarán', 'Eoin', 'Tadhg', 'Rory', 'Fionn'],
    girls: ['Siobhán', 'Aoife', 'Niamh', 'Saoirse', 'Caoimhe', 'Róisín', 'Orla', 'Aisling', 'Clodagh', 'Sinéad', 'Méabh', 'Éabha'],
    surnames: ["O'Connor", "O'Brien", 'Ó Súilleabháin', 'Murphy', 'Kelly', 'Byrne', 'Ryan', "O'Neill", 'Walsh', 'McCarthy', 'Doyle', 'Ó Briain', 'Gallagher', 'Doherty', 'Kennedy', 'Lynch', "O'Sullivan", 'Ó Conaill', 'Fitzgerald', 'Mac Giolla Phádraig'],
    middleNameChance: 0.5,
    preferredBoys: ['Pat', 'Shaun'],
    preferredGirls: ['Shiv', 'Rosie'],
    preferredChance: 0.04,
  },
  {
    key: 'caribbean',
    weight: 3,
    ethnicity: { BCRB: 70, MWBC: 30 },
    languages: {},
    eal: 0,
    boys: ['Jermaine', 'Marcus', 'Tyrone', 'Jaden', 'Malachi', 'Kymani', 'André', 'Dwayne', 'Isaiah', 'Elijah', 'Josiah', 'Nathaniel'],
    girls: ['Shanice', 'Jada', 'Keisha', 'Tia', 'Aaliyah', 'Imani', 'Naomi', 'Destiny', 'Tiana', 'Kiara', 'Nia', 'Renée'],
    surnames: ['Campbell', 'Brown', 'Williams', 'Thomas', 'Clarke', 'Francis', 'Grant', 'Henry', 'Reid', 'Robinson', 'Bailey', 'Gordon', 'Morgan', 'Stewart', 'Forbes', 'McKenzie'],
    middleNameChance: 0.5,
    preferredBoys: ['Eli', 'Nate'],
    preferredGirls: ['Nay', 'Kee'],
    preferredChance: 0.05,
  },
  {
    key: 'polish',
    weight: 5,
    ethnicity: { WOTH: 100 },
    languages: { POL: 1 },
    eal: 0.8,
    boys: ['Jakub', 'Łukasz', 'Kacper', 'Szymon', 'Mikołaj', 'Filip', 'Antoni', 'Wojciech', 'Michał', 'Bartosz', 'Mateusz', 'Jan', 'Paweł'],
    girls: ['Zofia', 'Zuzanna', 'Julia', 'Maja', 'Hanna', 'Oliwia', 'Alicja', 'Wiktoria', 'Małgorzata', 'Natalia', 'Agnieszka', 'Lena', 'Ewa'],
    surnames: ['Kowalski/Kowalska', 'Nowak', 'Wiśniewski/Wiśniewska', 'Wójcik', 'Kowalczyk', 'Kamiński/Kamińska', 'Lewandowski/Lewandowska', 'Zieliński/Zielińska', 'Szymański/Szymańska', 'Dąbrowski/Dąbrowska', 'Woźniak', 'Kozłowski/Kozłowska', 'Mazur', 'Krawczyk', 'Grabowski/Grabowska'],
    middleNameChance: 0.3,
    preferredBoys: ['Kuba', 'Bartek', 'Mati'],
    preferredGirls: ['Gosia', 'Ola', 'Zosia'],
    preferredChance: 0.1,
  },
  {
    key: 'romanian',
    weight: 2,
    ethnicity: { WOTH: 90, WROM: 10 },
    languages: { RUM: 1 },
    eal: 0.9,
    boys: ['Andrei', 'Ștefan', 'Mihai', 'Alexandru', 'Ionuț', 'Darius', 'Luca', 'Rareș', 'Matei'],
    girls: ['Ioana', 'Maria', 'Elena', 'Andreea', 'Bianca', 'Ana', 'Ștefania', 'Sofia', 'Ilinca'],
    surnames: ['Popescu', 'Ionescu', 'Popa', 'Dumitru', 'Stan', 'Stoica', 'Gheorghe', 'Rusu', 'Munteanu', 'Moldovan', 'Constantin', 'Lungu', 'Ciobanu', 'Toma', 'Bălan', 'Țurcanu'],
    middleNameChance: 0.3,
    preferredBoys: ['Alex', 'Ionuț'],
    preferredGirls: ['Ana', 'Andi'],
    preferredChance: 0.06,
  },
  {
    key: 'portuguese',
    weight: 1.5,
    ethnicity: { WOTH: 100 },
    languages: { POR: 1 },
    eal: 0.85,
    boys: ['João', 'Tomás', 'Rodrigo', 'Martim', 'Gonçalo', 'Afonso', 'Duarte', 'Santiago'],
    girls: ['Inês', 'Beatriz', 'Leonor', 'Matilde', 'Mariana', 'Carolina', 'Constança', 'Lara'],
    surnames: ['Silva', 'Santos', 'Ferreira', 'Pereira', 'Oliveira', 'Costa', 'Rodrigues', 'Martins', 'Gonçalves', 'Gomes', 'Lopes', 'Marques', 'Araújo', 'Simões'],
    middleNameChance: 0.6,
    preferredChance: 0,
  },
  {
    key: 'german',
    weight: 1,
    ethnicity: { WOTH: 100 },
    languages: { GER: 1 },
    eal: 0.6,
    boys: ['Lukas', 'Jonas', 'Felix', 'Maximilian', 'Paul', 'Elias', 'Niklas', 'Jürgen'],
    girls: ['Lena', 'Hannah', 'Emilia', 'Lea', 'Anna', 'Marie', 'Leonie', 'Jördis'],
    surnames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Schröder', 'Köhler', 'Krüger', 'Hoffmann', 'Weiß', 'Groß'],
    middleNameChance: 0.3,
    preferredBoys: ['Max', 'Niki'],
    preferredGirls: ['Lenni', 'Mia'],
    preferredChance: 0.08,
  },
  {
    key: 'french',
    weight: 1,
    ethnicity: { WOTH: 80, MOTH: 20 },
    languages: { FRN: 1 },
    eal: 0.6,
    boys: ['Théo', 'Hugo', 'Mathéo', 'Raphaël', 'Noé', 'Jules', 'Étienne', 'Gabriel'],
    girls: ['Chloé', 'Léa', 'Inès', 'Manon', 'Anaïs', 'Céline', 'Héloïse', 'Maëlle', 'Zoé'],
    surnames: ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Lemaître', 'Fontaine', 'Rousseau', 'Benoît', 'Le Gall'],
    middleNameChance: 0.4,
    preferredChance: 0,
  },
  {
    key: 'nigerian',
    weight: 3.5,
    ethnicity: { BAFR: 90, MWBA: 10 },
    languages: { YOR: 2, IGB: 1 },
    eal: 0.3,
    boys: ['Oluwaseun', 'Chukwuemeka', 'Tobi', 'Ayomide', 'David', 'Daniel', 'Emmanuel', 'Chidi', 'Femi', 'Tunde', 'Olamide', 'Ifeanyi'],
    girls: ['Adaeze', 'Chiamaka', 'Funmilayo', 'Temitope', 'Ifeoma', 'Blessing', 'Precious', 'Zainab', 'Oyinkansola', 'Favour', 'Chidinma', 'Adeola'],
    surnames: ['Adebayo', 'Okafor', 'Adeyemi', 'Okonkwo', 'Oyelaran', 'Nwosu', 'Eze', 'Olawale', 'Balogun', 'Ogunleye', 'Chukwu', 'Abiodun', 'Adewale', 'Onyekachi'],
    middleNameChance: 0.7,
    preferredBoys: ['Seun', 'Emeka', 'Ify', 'Dami'],
    preferredGirls: ['Amaka', 'Funmi', 'Tope', 'Oyin'],
    preferredChance: 0.25,
  },
  {
    key: 'ghanaian',
    weight: 1.5,
    ethnicity: { BAFR: 100 },
    languages: { TWI: 1 },
    eal: 0.5,
    boys: ['Kwame', 'Kofi', 'Kwabena', 'Yaw', 'Nana', 'Kojo', 'Kwaku', 'Samuel'],
    girls: ['Ama', 'Akosua', 'Abena', 'Efua', 'Adwoa', 'Esi', 'Akua', 'Grace'],
    surnames: ['Mensah', 'Asante', 'Boateng', 'Owusu', 'Osei', 'Agyeman', 'Darko', 'Appiah', 'Acheampong', 'Amoako'],
    middleNameChance: 0.6,
    preferredChance: 0,
  },
  {
    key: 'somali',
    weight: 1.5,
    ethnicity: { BAFR: 100 },
    languages: { SOM: 1 },
    eal: 0.9,
    boys: ['Mohamed', 'Abdi', 'Ahmed', 'Hassan', 'Yusuf', 'Abdirahman', 'Ilyas', 'Khalid', 'Mustafe'],
    girls: ['Hodan', 'Fartun', 'Sagal', 'Hibo', 'Amina', 'Ayaan', 'Nasra', 'Ifrah', 'Hamdi'],
    surnames: ['Abdi', 'Warsame', 'Hassan', 'Farah', 'Mohamud', 'Omar', 'Jama', 'Ali', 'Osman', 'Nur', 'Abdullahi'],
    middleNameChance: 0.2,
    preferredBoys: ['Abdi', 'Mo'],
    preferredChance: 0.08,
  },
  {
    key: 'pakistani',
    weight: 4,
    ethnicity: { APKN: 100 },
    languages: { URD: 2, PNJ: 1, PAH: 1 },
    eal: 0.75,
    boys: ['Muhammad', 'Ibrahim', 'Ayaan', 'Zayn', 'Hamza', 'Bilal', 'Usman', 'Ali', 'Rayyan', 'Haroon', 'Imran', 'Zakariya'],
    girls: ['Aisha', 'Fatima', 'Maryam', 'Hafsa', 'Zara', 'Inaaya', 'Khadijah', 'Amna', 'Sana', 'Mehreen', 'Noor', 'Iqra'],
    surnames: ['Ahmed', 'Khan', 'Hussain', 'Ali', 'Iqbal', 'Akhtar', 'Mahmood', 'Shah', 'Butt', 'Qureshi', 'Malik', 'Raza', 'Rashid'],
    middleNameChance: 0.35,
    middleBoys: ['Ali', 'Hassan', 'Abdullah', 'Hussain'],
    middleGirls: ['Bibi', 'Noor', 'Zahra'],
    preferredBoys: ['Mo', 'Zak'],
    preferredChance: 0.05,
  },
  {
    key: 'bangladeshi',
    weight: 2.5,
    ethnicity: { ABAN: 100 },
    languages: { BNG: 2, SYL: 1 },
    eal: 0.8,
    boys: ['Ayaan', 'Rahim', 'Tanvir', 'Ishaq', 'Sami', 'Arif', 'Rayhan', 'Nabil', 'Shahid', 'Mahdi'],
    girls: ['Tasnim', 'Nusrat', 'Sumaiya', 'Raisa', 'Farzana', 'Jannat', 'Tahmina', 'Sadia', 'Ruksana', 'Anika'],
    surnames: ['Rahman', 'Uddin', 'Islam', 'Miah', 'Hoque', 'Chowdhury', 'Ahmed', 'Hossain', 'Alom', 'Karim'],
    middleNameChance: 0.3,
    preferredChance: 0,
  },
  {
    key: 'indian',
    weight: 2,
    ethnicity: { AIND: 100 },
    languages: { GUJ: 2, TAM: 1, HIN: 1, MLM: 1 },
    eal: 0.6,
    boys: ['Arjun', 'Aarav', 'Rohan', 'Vihaan', 'Dev', 'Krish', 'Ishaan', 'Siddharth', 'Karan', 'Aditya'],
    girls: ['Priya', 'Ananya', 'Aanya', 'Diya', 'Kavya', 'Isha', 'Meera', 'Saanvi', 'Riya', 'Anjali'],
    surnames: ['Patel', 'Sharma', 'Shah', 'Mistry', 'Desai', 'Reddy', 'Iyer', 'Nair', 'Chauhan', 'Joshi', 'Parmar'],
    middleNameChance: 0.4,
    preferredBoys: ['Sid', 'Adi'],
    preferredGirls: ['Annie', 'Ria'],
    preferredChance: 0.06,
  },
  {
    key: 'sikh',
    weight: 1,
    ethnicity: { AIND: 100 },
    languages: { PNJ: 1 },
    eal: 0.55,
    boys: ['Harjit', 'Gurpreet', 'Jaskaran', 'Arjan', 'Manveer', 'Ranveer', 'Amardeep', 'Sukhdev'],
    girls: ['Simran', 'Harleen', 'Navneet', 'Jasleen', 'Gurleen', 'Manpreet', 'Amrit', 'Kiran'],
    surnames: ['Gill', 'Dhillon', 'Sandhu', 'Sidhu', 'Grewal', 'Bains', 'Johal', 'Virdi'],
    middleNameChance: 1,
    middleBoys: ['Singh'],
    middleGirls: ['Kaur'],
    preferredBoys: ['Jas', 'Manny'],
    preferredGirls: ['Sim', 'Harry'],
    preferredChance: 0.08,
  },
  {
    key: 'vietnamese',
    weight: 1,
    ethnicity: { AOTH: 100 },
    languages: { VIE: 1 },
    eal: 0.9,
    boys: ['Minh', 'Anh', 'Đức', 'Huy', 'Khoa', 'Bảo', 'Quang', 'Tuấn', 'Hoàng'],
    girls: ['Linh', 'Ngọc', 'Thảo', 'Hương', 'Trang', 'Mai', 'Lan', 'Phương', 'Hằng'],
    surnames: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ'],
    middleNameChance: 0.9,
    middleBoys: ['Văn', 'Minh', 'Đức', 'Quốc'],
    middleGirls: ['Thị', 'Ngọc', 'Thu', 'Kim'],
    preferredBoys: ['Kevin', 'Tony', 'Danny', 'Eric'],
    preferredGirls: ['Jenny', 'Amy', 'Vivian', 'Tina'],
    preferredChance: 0.3,
  },
  {
    key: 'chinese',
    weight: 1,
    ethnicity: { CHNE: 100 },
    languages: { CHI: 2, CAN: 1 },
    eal: 0.85,
    boys: ['Wei', 'Hao', 'Jun', 'Yichen', 'Zihan', 'Ming', 'Jiahao', 'Haoran'],
    girls: ['Xinyi', 'Yutong', 'Mei', 'Jiayi', 'Ruoxi', 'Yan', 'Zhen', 'Shuyi'],
    surnames: ['Li', 'Wang', 'Zhang', 'Chen', 'Liu', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Lin'],
    middleNameChance: 0.1,
    preferredBoys: ['Jason', 'Ryan', 'Daniel', 'Leo'],
    preferredGirls: ['Cindy', 'Lily', 'Grace', 'Amy'],
    preferredChance: 0.35,
  },
  {
    key: 'turkish',
    weight: 1,
    ethnicity: { WOTH: 80, OOTH: 20 },
    languages: { TUR: 1 },
    eal: 0.85,
    boys: ['Yusuf', 'Emir', 'Ömer', 'Mustafa', 'Eymen', 'Çağan', 'Deniz', 'Kerem'],
    girls: ['Zeynep', 'Elif', 'Defne', 'Ecem', 'Nisa', 'Ayşe', 'Asya', 'İrem'],
    surnames: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Öztürk', 'Aydın', 'Arslan', 'Doğan', 'Kılıç'],
    middleNameChance: 0.2,
    preferredChance: 0,
  },
  {
    key: 'arabic',
    weight: 1,
    ethnicity: { OOTH: 100 },
    languages: { ARA: 1 },
    eal: 0.85,
    boys: ['Omar', 'Ahmad', 'Karim', 'Yousef', 'Adam', 'Ziad', 'Samir', 'Tariq'],
    girls: ['Layla', 'Nour', 'Yasmin', 'Mariam', 'Rania', 'Salma', 'Lina', 'Dalia'],
    surnames: ['Al-Sayed', 'El-Masri', 'Haddad', 'Khalil', 'Nasser', 'Saleh', 'Mansour', 'Abboud', 'Al-Amin', 'Darwish'],
    middleNameChance: 0.2,
    preferredChance: 0,
  },
  {
    key: 'goan',
    weight: 0.6,
    ethnicity: { AIND: 70, AOTH: 30 },
    languages: { KON: 1 },
    eal: 0.2,
    boys: ['Joel', 'Ryan', 'Neil', 'Carl', 'Savio', 'Liam', 'Joaquim'],
    girls: ['Sharon', 'Alisha', 'Tanya', 'Melissa', 'Rhea', 'Natasha', 'Joanne'],
    surnames: ["D'Souza", "D'Costa", 'Fernandes', 'Rodrigues', "D'Mello", 'Pinto', 'Mascarenhas', "D'Silva", 'Noronha'],
    middleNameChance: 0.5,
    preferredChance: 0,
  },
];

/** The form of a surname entry for a person of the given sex ('Kowalski/Kowalska'). */
export function surnameForm(entry: string, sex: Sex): string {
  return entry
    .split('-')
    .map((part) => {
      const [male, female] = part.split('/');
      return sex === 'F' && female ? female : male!;
    })
    .join('-');
}

export const ADULT_TITLES: Record<Sex, readonly string[]> = { M: ['Mr', 'Mr', 'Mr', 'Dr'], F: ['Mrs', 'Ms', 'Ms', 'Miss', 'Dr'] };

/** Tree names for primary classes. */
export const CLASS_NAMES = [
  'Oak', 'Ash', 'Willow', 'Birch', 'Rowan', 'Hazel', 'Maple', 'Elm', 'Beech', 'Holly', 'Cedar', 'Alder',
  'Juniper', 'Larch', 'Linden', 'Poplar', 'Sycamore', 'Chestnut', 'Hawthorn', 'Aspen', 'Cherry', 'Pine', 'Yew', 'Spruce',
] as const;
