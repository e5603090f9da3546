"""Generate tests/data/targets/bibdesk-strings.bib: a BibDesk strings file (layout of BibDesk 1.8)."""
import random
rng = random.Random(12)
CONFS = [("sosp", "ACM", "Symposium on Operating Systems Principles", 1969, 2), ("osdi", "USENIX", "Symposium on Operating Systems Design and Implementation", 1994, 2),
         ("nsdi", "USENIX", "Symposium on Networked Systems Design and Implementation", 2004, 1), ("eurosys", "ACM", "European Conference on Computer Systems", 2006, 1),
         ("asplos", "ACM", "International Conference on Architectural Support for Programming Languages and Operating Systems", 1982, 1),
         ("sigmod", "ACM", "International Conference on Management of Data", 1975, 1), ("vldb", "VLDB Endowment", "International Conference on Very Large Data Bases", 1975, 1),
         ("socc", "ACM", "Symposium on Cloud Computing", 2010, 1), ("atc", "USENIX", "Annual Technical Conference", 1990, 1),
         ("fast", "USENIX", "Conference on File and Storage Technologies", 2002, 1), ("sigcomm", "ACM", "SIGCOMM Conference", 1981, 1),
         ("middleware", "ACM/IFIP/USENIX", "International Middleware Conference", 1998, 1), ("icde", "IEEE", "International Conference on Data Engineering", 1984, 1),
         ("ccs", "ACM", "Conference on Computer and Communications Security", 1993, 1), ("usenixsec", "USENIX", "Security Symposium", 1990, 1),
         ("pldi", "ACM SIGPLAN", "Conference on Programming Language Design and Implementation", 1988, 1), ("popl", "ACM SIGPLAN-SIGACT", "Symposium on Principles of Programming Languages", 1973, 1),
         ("isca", "ACM/IEEE", "International Symposium on Computer Architecture", 1973, 1), ("micro", "IEEE/ACM", "International Symposium on Microarchitecture", 1968, 1),
         ("hotos", "USENIX", "Workshop on Hot Topics in Operating Systems", 1987, 2), ("podc", "ACM", "Symposium on Principles of Distributed Computing", 1982, 1),
         ("dsn", "IEEE/IFIP", "International Conference on Dependable Systems and Networks", 2000, 1), ("icdcs", "IEEE", "International Conference on Distributed Computing Systems", 1979, 1),
         ("srds", "IEEE", "Symposium on Reliable Distributed Systems", 1981, 1), ("vee", "ACM SIGPLAN/SIGOPS", "International Conference on Virtual Execution Environments", 2005, 1)]
JOURNALS = ["Computer Systems", "Computer Systems (TOCS)", "Database Systems", "Storage", "Computing Surveys", "Programming Languages and Systems",
            "Software Engineering and Methodology", "Architecture and Code Optimization", "Privacy and Security", "Networking", "Parallel Computing",
            "the Web", "Internet Technology", "Embedded Computing Systems", "Modeling and Computer Simulation", "Mathematical Software",
            "Algorithms", "Computation Theory", "Information Systems", "Graphics", "Knowledge Discovery from Data", "Sensor Networks"]
IEEE = ["Parallel and Distributed Systems", "Computers", "Software Engineering", "Knowledge and Data Engineering", "Cloud Computing",
        "Dependable and Secure Computing", "Information Forensics and Security", "Network and Service Management", "Services Computing",
        "Mobile Computing", "Big Data", "Emerging Topics in Computing", "Sustainable Computing", "Computer-Aided Design of Integrated Circuits and Systems"]
def ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
strings = []
for key, org, name, first, step in CONFS:
    for year in range(max(first, 2000), 2025, step):
        n = (year - first) // step + 1
        pre = "Proceedings of the " if rng.random() < 0.8 else ""
        strings.append((f"{key}{year % 100:02d}", f"{pre}{ordinal(n)} {org} {name} ({key.upper()} '{year % 100:02d})"))
    strings.append((key, f"{org} {name}"))
for topic in JOURNALS:
    abbrev = "t" + "".join(w[0] for w in topic.replace("(", "").split() if w[0].isupper()).lower()
    strings.append((f"acm{abbrev}", f"{{ACM}} Transactions on {topic}"))
for topic in IEEE:
    abbrev = "".join(w[0] for w in topic.split() if w[0].isupper()).lower()
    strings.append((f"ieeet{abbrev}", f"{{IEEE}} Transactions on {topic}"))
for key, value in [("acm", "Association for Computing Machinery"), ("acmpress", "{ACM} Press"), ("ieee", "{IEEE}"),
                   ("ieeecs", "{IEEE} Computer Society"), ("usenix", "{USENIX} Association"), ("springer", "Springer"),
                   ("lncs", "Lecture Notes in Computer Science"), ("pvldb", "Proceedings of the {VLDB} Endowment"),
                   ("cacm", "Communications of the {ACM}"), ("sigops", "{SIGOPS} Operating Systems Review"),
                   ("newyork", "New York, NY, USA"), ("berkeley", "Berkeley, CA, USA"), ("losalamitos", "Los Alamitos, CA, USA"),
                   ("zurich", "Z{\\\"u}rich, Switzerland"), ("montreal", "Montr{\\'e}al, Canada")]:
    strings.append((key, value))
rng.shuffle(strings)
strings.sort(key=lambda kv: kv[0].lower())  # BibDesk writes macros sorted by name
# Repeated names, as merged BibDesk files have them: some restate the value, some correct it.
repeats = rng.sample(strings, 14)
out = ["%% This BibTeX bibliography file was created using BibDesk.\n%% https://bibdesk.sourceforge.io/\n\n",
       "%% Created for Jane Q. Roe at 2024-03-05 10:11:12 +0000 \n\n\n%% Saved with string encoding Unicode (UTF-8) \n\n\n",
       '@preamble{"\\newcommand{\\noopsort}[1]{} \\newcommand{\\singleletter}[1]{#1} "}\n\n']
for i, (key, value) in enumerate(strings):
    out.append(f"@string{{{key} = {{{value}}}}}\n\n")
    if i == len(strings) // 2:
        for j, (rkey, rvalue) in enumerate(repeats):
            if j % 3 == 0:
                rvalue = rvalue.replace("Proceedings of the ", "Proc. of the ").replace("Transactions", "Trans.")
            out.append(f"@string{{{rkey.upper() if j % 4 == 1 else rkey} = {{{rvalue}}}}}\n\n")
out.append("@comment{BibDesk Static Groups{\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
           "<plist version=\"1.0\">\n<array>\n\t<dict>\n\t\t<key>group name</key>\n\t\t<string>Thesis, chapter 3</string>\n"
           "\t\t<key>keys</key>\n\t\t<string>Lamport:1978aa,Shillaker:2020ab</string>\n\t</dict>\n</array>\n</plist>\n}}\n\n")
out.append("@comment{BibDesk Smart Groups{\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<array>\n"
           "\t<dict>\n\t\t<key>conditions</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>comparison</key>\n\t\t\t\t<integer>2</integer>\n"
           "\t\t\t\t<key>key</key>\n\t\t\t\t<string>Journal</string>\n\t\t\t\t<key>value</key>\n\t\t\t\t<string>{ACM}</string>\n"
           "\t\t\t</dict>\n\t\t</array>\n\t\t<key>group name</key>\n\t\t<string>ACM journals</string>\n\t</dict>\n</array>\n</plist>\n}}\n\n")
out.append("@comment{BibDesk URL Groups{\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<array/>\n</plist>\n}}\n\n")
out.append("@comment{BibDesk Script Groups{\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<array/>\n</plist>\n}}\n\n")
out.append("@comment{jabref-meta: databaseType:bibtex;}\n")
open("bibdesk-strings.bib", "w").write("".join(out))
print(len(strings), "strings +", len(repeats), "repeated")
