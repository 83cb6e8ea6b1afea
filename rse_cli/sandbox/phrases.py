"""The French text bank of the sandbox company (Rivage Industries, water-treatment equipment).

Templates have `{slot}` holes filled from SLOTS or from the context of the conversation (a
colleague's first name, the newcomer's job…); one conversation fills each slot once, and
questions (QA) come with the answers that fit them. Many short variants rather than a few
long ones: audits, digests and leader briefs quote real messages, so they should read like
a real company's chatter. Questions (QA, and the club's outings) end with "?" and no other
root message does, so "a root message ending with ?" is exactly "a question" here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

SLOTS: dict[str, list[str]] = {
    "client": [
        "la Laiterie des Deux Rives",
        "la mairie de Saint-Brevin",
        "la Brasserie du Pertuis",
        "le camping Les Dunes d'Or",
        "la clinique Saint-Roch",
        "le syndicat des eaux du Marais",
        "l'hôtel Le Phare",
        "la Conserverie Gasconne",
        "l'Aquaparc de Mérignac",
        "le lycée Jules-Verne",
        "la fromagerie Bellerive",
        "le centre nautique de Pornic",
        "la cave coopérative de Blaye",
        "l'abattoir de Challans",
        "la blanchisserie Océane",
        "le golf de l'Estuaire",
    ],
    "produit": [
        "le filtre FX-200",
        "la pompe doseuse Doso 3",
        "la station Compacte 500",
        "la gamme Aqua-Pro",
        "le contrat Sérénité",
        "l'adoucisseur Calcéo",
        "le module UV Lumina",
        "le kit de télésurveillance",
    ],
    "montant": ["18", "24", "35", "42", "57", "60", "85", "110", "140", "220"],
    "concurrent": ["HydroNova", "Clairéo", "Aquatis", "Filtralis"],
    "ville": ["Saint-Nazaire", "La Rochelle", "Vannes", "Angers", "Arcachon", "Cholet", "Niort", "Lorient", "Pau"],
    "outil": ["Power BI", "dbt", "Python", "Airflow", "SQL Server", "Excel", "Dataiku", "Tableau"],
    "sujet_data": [
        "la prévision des ventes",
        "les données capteurs des stations",
        "le tableau de bord qualité",
        "la détection d'anomalies sur les pompes",
        "le référentiel clients",
        "la maintenance prédictive",
        "les prompts pour résumer des comptes rendus",
        "la qualité des données SAP",
    ],
    "titre": [
        "Eau potable : ce que change la nouvelle directive européenne",
        "Sécheresse : les industriels accélèrent sur la réutilisation des eaux usées",
        "Le marché des pompes doseuses en hausse de 6 % en 2026",
        "Micropolluants : les stations d'épuration sous pression",
        "Comment les PME industrielles utilisent l'IA pour la maintenance",
        "Salon Pollutec : les tendances à retenir",
        "Prix de l'énergie : l'impact sur le traitement de l'eau",
        "Un concurrent lance une offre de location de filtres",
        "PFAS : le point sur la réglementation",
        "Agences de l'eau : nouveaux appels à projets pour les collectivités",
        "Étude : les collectivités veulent de la télésurveillance",
        "Industrie 4.0 : retour d'expérience d'une usine de la Sarthe",
    ],
    "site_web": [
        "actu-eau.example.org",
        "industrie-mag.example.org",
        "datanews.example.org",
        "veille-eau.example.org",
        "lettre-pme.example.org",
    ],
    "lieu": [
        "au parking B",
        "devant l'accueil",
        "au bord de l'Erdre",
        "à l'entrée du parc de la Gaudinière",
        "sur les quais",
        "au gymnase municipal",
    ],
    "heure": ["12h15", "12h30", "18h", "18h15", "12h"],
    "jour": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    "distance": ["5", "7", "8", "10", "12"],
    "sport": [
        "un footing",
        "une sortie vélo",
        "une randonnée",
        "un foot à 5",
        "une partie de padel",
        "une séance de yoga",
        "un badminton",
    ],
    "salon": [
        "Pollutec",
        "le salon Eau & Industrie de Bordeaux",
        "les Rencontres de l'eau de Nantes",
        "le Carrefour des collectivités",
    ],
    "emoji_fin": ["", "", "", " 🙂", " 🎉", " 💪", " 👏", " 😄"],
}

BANK: dict[str, list[str]] = {
    # -- Ventes Ouest (business community) ---------------------------------------------------
    "ventes.deal": [
        "Signé ce matin avec {client} : {montant} k€ sur {produit}{emoji_fin}",
        "Belle victoire : {client} passe chez nous pour {produit}{emoji_fin}",
        "{client} renouvelle son contrat Sérénité pour 3 ans, merci à toute l'équipe{emoji_fin}",
        "Commande reçue de {client}, {montant} k€, livraison en janvier.",
        "On a battu {concurrent} chez {client} grâce à la démo de {produit}{emoji_fin}",
        "Premier contrat de télésurveillance signé avec {client}{emoji_fin}",
    ],
    "ventes.info": [
        "Petit retour de ma tournée à {ville} : les collectivités parlent toutes de sécheresse et de réutilisation.",
        "Rappel : les prévisions du trimestre sont à saisir dans le CRM avant vendredi.",
        "Je serai sur {salon}, passez me voir sur le stand !",
        "Nouveau support de présentation pour {produit} dans le Drive commercial.",
        "{concurrent} a augmenté ses prix de 8 %, c'est le moment de relancer nos devis.",
        "Compte rendu de la réunion d'équipe dans le Drive, avec les objectifs du mois.",
        "Le webinaire client sur {produit} aura lieu jeudi à 11h, invitez vos prospects.",
    ],
    "ventes.kudos": [
        "Kudos du vendredi : bravo à {collegue} pour le dossier de {client}, bouclé en un temps record{emoji_fin}",
        "Kudos du vendredi : merci {collegue} pour l'aide sur la démo de {produit} à {ville}{emoji_fin}",
        "Kudos du vendredi : {collegue} a sauvé une livraison urgente pour {client}, chapeau{emoji_fin}",
        "Kudos du vendredi : félicitations à {collegue} pour sa première signature{emoji_fin}",
        "Kudos du vendredi : un grand merci à {collegue} pour le support technique sur {produit}{emoji_fin}",
    ],
    "ventes.congrats": [
        "Bravo !",
        "Superbe, félicitations !",
        "Bien joué 👏",
        "Énorme, bravo à toi !",
        "Top, bravo l'équipe !",
        "Excellente nouvelle.",
        "Ça fait plaisir, bravo.",
        "Chapeau, pas simple face à {concurrent} !",
        "Mérité 👏",
    ],
    "ventes.ack": [
        "Merci pour le partage.",
        "Noté, merci !",
        "Bien vu, merci.",
        "Merci, je transmets à mes clients.",
        "Très utile, merci.",
    ],
    "followup": ["Je confirme.", "Même expérience de mon côté.", "Bien vu.", "+1", "Pareil pour moi.", "Je plussoie."],
    # -- Data & IA (community of practice) ---------------------------------------------------
    "data.tip": [
        "Astuce du jour : dans {outil}, les paramètres de requête évitent de dupliquer vos rapports.",
        "Je partage un notebook d'exemple sur {sujet_data}, retours bienvenus.",
        "Atelier ouvert jeudi midi : prise en main de {outil}, venez avec vos questions.",
        "Rappel : la charte IA générative est à jour sur l'intranet.",
        "Nouveau jeu de données disponible dans le datalake : historique des interventions 2020-2026.",
        "Retour sur le meetup data de Nantes : beaucoup de sujets sur {sujet_data}.",
        "Démo du prototype de maintenance prédictive vendredi 11h, lien dans l'agenda.",
    ],
    "thanks": [
        "Merci beaucoup !",
        "Super, merci.",
        "Parfait, ça marche 👍",
        "Merci, c'est exactement ce qu'il me fallait.",
        "Top, merci pour la réponse.",
        "Merci, je regarde ça.",
    ],
    "data.comment": [
        "Intéressant, merci.",
        "Je vais tester.",
        "Très utile, merci du partage.",
        "On en parle à l'atelier ?",
        "Je m'inscris !",
    ],
    # -- Veille ----------------------------------------------------------------------------
    "veille.link": [
        "À lire : {titre} https://{site_web}/articles/{n}",
        "{titre} — https://{site_web}/{n}",
        "Pour la veille de la semaine : {titre} https://{site_web}/actu/{n}",
        "Signalé par un client : {titre} https://{site_web}/{n}",
        "{concurrent} dans la presse : {titre} https://{site_web}/{n}",
        "Intéressant pour nos commerciaux : {titre} https://{site_web}/dossiers/{n}",
    ],
    "veille.comment": [
        "Merci, très utile pour mes rendez-vous collectivités.",
        "Intéressant, on en parle en réunion produit.",
        "À surveiller de près.",
        "Je transmets à l'équipe Ventes.",
        "Bon résumé, merci.",
        "C'est ce que disent nos clients aussi.",
    ],
    # -- Club sport & loisirs -------------------------------------------------------------
    "sport.outing": [
        "Rendez-vous {lieu} {jour} à {heure} pour {sport}, qui vient ?",
        "{jour} {heure}, {sport} : rendez-vous {lieu}. Des motivés ?",
        "Boucle de {distance} km {jour} midi, rythme tranquille, rendez-vous {lieu}. Qui vient ?",
        "Qui est partant pour {sport} après le boulot {jour} ?",
        "{sport} {jour} à {heure}, il reste des places ?",
    ],
    "sport.join": [
        "Je viens !",
        "Partant !",
        "Présent 👟",
        "Je serai là.",
        "Ok pour moi.",
        "Je passe à {heure}.",
        "Je tente, si la réunion finit à l'heure.",
    ],
    "sport.report": [
        "Super sortie ce midi, {distance} km sous le soleil{emoji_fin}",
        "Merci à tous pour la séance d'hier, on remet ça la semaine prochaine.",
        "Les inscriptions pour les 10 km de Nantes sont ouvertes, le club prend en charge le dossard.",
        "Photo de groupe sur le Drive du club, bravo à tous{emoji_fin}",
        "Nouveau record de participation : 14 personnes ce midi{emoji_fin}",
    ],
    "sport.cheer": ["Bravo à tous !", "Trop bien 😄", "J'étais pas là, dommage.", "Génial, à la prochaine !", "Belle équipe 💪"],
    # -- Accueil (newcomers) --------------------------------------------------------------
    "accueil.intro": [
        "Bonjour à tous ! Je viens d'arriver à {site} comme {poste}, ravi de vous rejoindre.",
        "Bonjour ! {prenom}, nouvelle recrue côté {departement} à {site}. Au plaisir d'échanger.",
        "Hello ! Premier jour aujourd'hui à {site}, je suis {poste}.",
        "Bonjour tout le monde, je rejoins l'équipe {departement} à {site}. Merci pour l'accueil !",
    ],
    "accueil.welcome": [
        "Bienvenue {prenom} ! N'hésite pas si tu as la moindre question.",
        "Bienvenue chez Rivage, {prenom} 🙂",
        "Bienvenue {prenom} ! Le livret d'accueil est épinglé dans Questions pratiques.",
        "Ravie de t'accueillir {prenom}, on se voit au petit-déjeuner des nouveaux.",
    ],
    "accueil.welcome_batch": [  # several newcomers in the week
        "Bienvenue à {prenoms}, qui nous ont rejoints cette semaine 👋",
        "Cette semaine, {prenoms} ont rejoint Rivage : bienvenue à vous !",
        "Bienvenue à {prenoms} 🎉 N'hésitez pas à vous présenter ici.",
    ],
    "accueil.welcome_one": [  # one newcomer in the week: the same words, in the singular
        "Bienvenue à {prenoms}, qui nous a rejoints cette semaine 👋",
        "Cette semaine, {prenoms} a rejoint Rivage : bienvenue !",
        "Bienvenue à {prenoms} 🎉 N'hésite pas à te présenter ici.",
    ],
    "accueil.news": [
        "Petit-déjeuner des nouveaux arrivants jeudi 9h à Nantes, salle Loire.",
        "Le livret d'accueil 2026 est disponible, pensez à le lire.",
        "Visite de l'usine de Nantes mardi prochain pour les nouveaux arrivants, inscription ici.",
        "Rappel : la formation sécurité est obligatoire dans votre premier mois.",
    ],
    # -- shared -----------------------------------------------------------------------------
    "self.followup": ["Personne ? 😅", "Je relance, quelqu'un a une idée ?", "Toujours preneur d'une réponse 🙏"],
}

# Questions with the answers that fit them. A conversation fills every slot once (see
# `context`), so a question about a client is answered about the same client.
QA: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "ventes.question": [
        (
            "Quelqu'un a déjà travaillé avec {client} ?",
            (
                "Oui, on les a équipés il y a deux ans, je t'envoie le contact en privé.",
                "{collegue} les connaît bien, je te mets en relation.",
                "Pas encore, mais je connais leur responsable technique.",
            ),
        ),
        (
            "Est-ce qu'on a une référence récente de {produit} dans l'agroalimentaire ?",
            (
                "Oui, la Laiterie des Deux Rives depuis l'an dernier, le cas client est dans le Drive.",
                "La Conserverie Gasconne, installée au printemps.",
                "Regarde le dossier Références du Drive commercial, il y en a trois.",
            ),
        ),
        (
            "Qui peut m'aider à chiffrer une extension de {produit} pour {client} ?",
            (
                "Je peux regarder ça cet après-midi, envoie-moi le cahier des charges.",
                "{collegue} a fait le même chiffrage le mois dernier, je te le transfère.",
                "On s'appelle à 14h ? J'ai une trame toute prête.",
            ),
        ),
        (
            "{client} nous demande un délai de livraison de 3 semaines, c'est tenable ?",
            (
                "Oui si la commande part avant vendredi, je vérifie avec la logistique.",
                "Tenable pour le standard, pas pour les versions sur mesure.",
                "Je viens de voir avec l'ADV : c'est bon.",
            ),
        ),
        (
            "On a une plaquette à jour pour {produit} ou j'utilise celle de l'an dernier ?",
            (
                "La version à jour est dans le Drive commercial, dossier Plaquettes.",
                "Le marketing vient de la refaire, je te l'envoie.",
                "Prends celle de septembre, les tarifs ont changé depuis.",
            ),
        ),
        (
            "Quelqu'un connaît l'interlocuteur achats chez {client} ?",
            (
                "Oui, je t'envoie ses coordonnées en privé.",
                "Il a changé en septembre, {collegue} a le nouveau contact.",
                "Passe par leur responsable technique, c'est lui qui décide.",
            ),
        ),
        (
            "{concurrent} propose 15 % de remise à {client}, on s'aligne ou on défend la valeur ?",
            (
                "On défend la valeur : maintenance incluse et délai d'intervention, c'est passé à chaque fois.",
                "Je ne m'alignerais pas, mets en avant le coût total sur 5 ans.",
                "On peut lâcher un peu sur la mise en service, pas sur le prix.",
            ),
        ),
        (
            "Vous faites comment pour relancer un devis sans réponse depuis un mois ?",
            (
                "Perso je relance par téléphone plutôt que par mail, ça marche mieux.",
                "Je propose une visite sur site, ça débloque souvent.",
                "Un mail court avec une seule question : le projet est-il toujours d'actualité ?",
            ),
        ),
        (
            "Qui sera sur {salon} cette année ?",
            (
                "Moi, les deux premiers jours.",
                "Je serai sur le stand le mercredi.",
                "Pas cette fois, mais je peux t'envoyer des invitations clients.",
            ),
        ),
        (
            "Le tarif 2027 de {produit} est déjà disponible ?",
            (
                "Il sort la semaine prochaine, {collegue} l'a en avant-première.",
                "Pas encore, reste sur le tarif 2026 d'ici là.",
                "Oui, dans le CRM depuis ce matin.",
            ),
        ),
        (
            "Quelqu'un peut m'accompagner en rendez-vous à {ville} jeudi ?",
            (
                "Je peux, envoie-moi l'adresse.",
                "Jeudi je suis pris, mais vendredi c'est possible.",
                "{collegue} est dans le coin ce jour-là.",
            ),
        ),
        (
            "On peut proposer une démo de {produit} sur site à {client} ?",
            (
                "Oui, on a un kit de démo disponible à Nantes.",
                "Bonne idée, réserve le kit auprès de l'ADV.",
                "Oui, compte une demi-journée avec le technicien.",
            ),
        ),
        (
            "Comment vous présentez le contrat Sérénité face à un acheteur très prix ?",
            (
                "Je chiffre le coût d'une panne : en général ça suffit.",
                "Je parle disponibilité garantie, pas prix.",
                "Cas client à l'appui : {client} a évité deux arrêts l'an dernier.",
            ),
        ),
    ],
    "ventes.weekly_question": [
        (
            "Question du lundi : quel est le client qui vous a le plus appris cette année ?",
            (
                "Pour moi c'est {client} : ils m'ont appris à parler coût global plutôt que prix.",
                "{client}, sans hésiter : exigeants mais fidèles.",
                "Un petit camping près de {ville}, qui m'a appris à écouter avant de proposer.",
            ),
        ),
        (
            "Question du lundi : quelle objection entendez-vous le plus en ce moment ?",
            (
                "Le délai, toujours le délai. Tout le monde veut être livré hier.",
                "« {concurrent} est moins cher. »",
                "« On verra l'an prochain, le budget est bouclé. »",
            ),
        ),
        (
            "Question du lundi : quel outil vous fait gagner le plus de temps en rendez-vous ?",
            (
                "Le configurateur sur tablette, sans hésiter.",
                "Le simulateur de coût total, les clients adorent.",
                "Les fiches cas clients sur le téléphone.",
            ),
        ),
        (
            "Question du lundi : quelle est votre meilleure astuce pour décrocher un premier rendez-vous ?",
            (
                "Appeler le mardi matin, et citer un client voisin.",
                "Passer par le technicien de maintenance du site.",
                "Proposer un diagnostic gratuit de l'installation.",
            ),
        ),
        (
            "Question du lundi : qu'est-ce qu'on devrait arrêter de faire dans nos propositions ?",
            (
                "Les annexes techniques de 40 pages que personne ne lit.",
                "Envoyer le tarif avant d'avoir compris le besoin.",
                "Proposer des options que personne ne prend.",
            ),
        ),
        (
            "Question du lundi : quel secteur voyez-vous décoller l'an prochain ?",
            (
                "Les campings et l'hôtellerie de plein air, clairement.",
                "L'agroalimentaire, avec la réutilisation des eaux.",
                "Les collectivités, avec les nouvelles aides des agences de l'eau.",
            ),
        ),
        (
            "Question du lundi : comment préparez-vous un rendez-vous avec un acheteur public ?",
            (
                "Je lis le dernier appel d'offres en entier, même les clauses administratives.",
                "Je regarde les délibérations du conseil municipal.",
                "Je prépare trois références de collectivités voisines.",
            ),
        ),
        (
            "Question du lundi : quel retour client vous a marqué la semaine dernière ?",
            (
                "{client} qui nous a dit qu'on était les seuls à rappeler dans la journée.",
                "Un client qui a recommandé {produit} à son voisin sans qu'on lui demande.",
                "Une remarque dure sur nos délais, à remonter à la logistique.",
            ),
        ),
        # a Monday question every week of a 90-day history: enough of them that none is asked twice
        (
            "Question du lundi : quelle question posez-vous toujours en premier rendez-vous ?",
            (
                "« Qu'est-ce qui vous coûte le plus cher aujourd'hui ? »",
                "« Qui d'autre doit être convaincu chez vous ? »",
                "« Comment faites-vous aujourd'hui, concrètement ? »",
            ),
        ),
        (
            "Question du lundi : quelle collaboration avec un autre service vous a aidé récemment ?",
            (
                "Le bureau d'études, qui est venu en rendez-vous avec moi chez {client}.",
                "La logistique, qui a tenu un délai impossible.",
                "Le marketing, pour la fiche cas client sur {produit}.",
            ),
        ),
        (
            "Question du lundi : quel argument sur {produit} fait mouche en ce moment ?",
            (
                "La consommation d'énergie, surtout depuis la hausse des tarifs.",
                "La maintenance prédictive incluse.",
                "Le retour sur investissement en moins de trois ans.",
            ),
        ),
        (
            "Question du lundi : quelle affaire perdue vous a le plus appris ?",
            (
                "Une collectivité où on n'avait pas vu le bureau d'études assez tôt.",
                "Une affaire chez {client} perdue sur le délai, pas sur le prix.",
                "Celle où je n'ai jamais rencontré le décideur.",
            ),
        ),
        (
            "Question du lundi : comment relancez-vous un devis resté sans réponse ?",
            (
                "Un appel, jamais un mail : « qu'est-ce qui vous manque pour décider ? »",
                "J'envoie un cas client proche, sans parler du devis.",
                "Je passe par le technicien du site.",
            ),
        ),
        (
            "Question du lundi : quel salon ou événement vaut vraiment le déplacement cette année ?",
            (
                "Le salon des maires, pour les collectivités.",
                "Pollutec, toujours.",
                "Les rencontres régionales de l'agence de l'eau.",
            ),
        ),
    ],
    "data.question": [
        (
            "Quelqu'un sait comment rafraîchir un rapport Power BI toutes les heures ?",
            (
                "Il faut passer par la passerelle de données, je te montre demain.",
                "Actualisation planifiée dans le service, jusqu'à 8 fois par jour avec notre licence.",
                "Demande à {collegue}, il l'a fait pour le tableau de bord qualité.",
            ),
        ),
        (
            "Vous avez un exemple de modèle de prévision des ventes ?",
            (
                "Regarde le dépôt data-exemples, il y a un notebook complet.",
                "{collegue} en a fait un pour la Logistique, très propre.",
                "Commence simple : saisonnalité hebdomadaire et jours fériés, ça fait déjà beaucoup.",
            ),
        ),
        (
            "Est-ce qu'on a le droit de mettre des données clients dans un assistant IA en ligne ?",
            (
                "Non, pas de données clients nominatives, la charte est sur l'intranet.",
                "Seulement dans l'assistant interne, pas dans les outils grand public.",
                "Non, et ça vaut aussi pour les contrats.",
            ),
        ),
        (
            "Qui a déjà branché {outil} sur les données capteurs des stations ?",
            (
                "On l'a fait à Lyon, vois avec {collegue}.",
                "Oui, via l'API de télésurveillance, je te partage le code.",
                "Pas encore, mais ça m'intéresse, tiens-nous au courant.",
            ),
        ),
        (
            "Comment vous gérez les doublons dans le référentiel clients ?",
            (
                "Une règle de rapprochement sur le SIRET, ça règle 90 % des cas.",
                "On a un script de dédoublonnage hebdomadaire, je te l'envoie.",
                "Le reste, c'est à la main avec l'ADV, malheureusement.",
            ),
        ),
        (
            "Une formation à {outil} est prévue cette année ?",
            (
                "Une session est prévue au printemps, inscription auprès des RH.",
                "Il y a des modules en ligne sur la plateforme de formation.",
                "On peut organiser un atelier interne si on est cinq ou six.",
            ),
        ),
        (
            "Quelqu'un a un bon prompt pour résumer un compte rendu de chantier ?",
            (
                "Je te partage le mien en privé, il marche bien avec les comptes rendus longs.",
                "Demande un résumé en cinq points puis la liste des actions, c'est le plus efficace.",
                "Donne-lui le modèle de compte rendu en exemple, ça change tout.",
            ),
        ),
        (
            "Vous stockez où vos notebooks partagés ?",
            (
                "Dans le Git interne, groupe data.",
                "Sur le serveur Jupyter de l'équipe, demande un accès à {collegue}.",
                "Git, toujours : le Drive finit par perdre une version.",
            ),
        ),
        (
            "Qui peut relire ma requête SQL sur les ventes par région ?",
            (
                "Envoie, je regarde ça cet après-midi.",
                "Attention aux avoirs, ils sont dans une autre table.",
                "Je peux demain matin.",
            ),
        ),
        (
            "Le datalake est lent aujourd'hui, c'est connu ?",
            (
                "Oui, un incident est ouvert côté infra.",
                "Chargement mensuel en cours, ça devrait aller mieux vers 14h.",
                "Pareil ici, je remonte au support.",
            ),
        ),
        (
            "Comment on demande un accès aux données de production ?",
            (
                "Ticket au support avec l'accord de ton manager, c'est rapide.",
                "Par le formulaire Accès données de l'intranet.",
                "{collegue} valide les demandes, envoie-lui un message.",
            ),
        ),
        (
            "Quelqu'un a déjà testé la détection d'anomalies sur les pompes Doso ?",
            (
                "On a un prototype, les premiers résultats sont encourageants.",
                "Oui, une forêt d'isolement sur les courants moteur, ça marche bien.",
                "{collegue} présente ses résultats à l'atelier de jeudi.",
            ),
        ),
        (
            "C'est quoi la bonne pratique pour versionner un modèle ?",
            (
                "MLflow, on a une instance interne.",
                "Un tag Git par version et les métriques dans MLflow.",
                "Surtout, versionner aussi les données d'entraînement.",
            ),
        ),
        (
            "On a une charte d'usage de l'IA générative quelque part ?",
            ("Sur l'intranet, rubrique Numérique.", "Oui, mise à jour en septembre.", "Oui, avec une formation courte en ligne."),
        ),
    ],
    "accueil.question": [
        (
            "Où trouve-t-on le formulaire pour la mutuelle ?",
            ("Sur l'intranet, rubrique RH > Mutuelle.", "Le lien est dans ton mail de bienvenue."),
        ),
        (
            "Comment on réserve une salle de réunion à {site} ?",
            ("Dans l'agenda partagé, en ajoutant la salle comme invitée.", "L'accueil de {site} peut aussi réserver pour toi."),
        ),
        (
            "Qui contacter pour avoir un badge parking ?",
            ("L'accueil du site, avec ta pièce d'identité.", "Demande à l'accueil, compte deux jours."),
        ),
        (
            "Les tickets restaurant, c'est automatique ou il faut faire une demande ?",
            (
                "C'est automatique à partir du mois suivant ton arrivée.",
                "Automatique, ils arrivent sur ta carte le mois prochain.",
            ),
        ),
        (
            "Il y a une navette entre la gare et le site de {site} ?",
            ("Oui, toutes les 30 minutes le matin.", "Le matin seulement, les horaires sont sur l'intranet."),
        ),
        (
            "Comment je pose mes premiers jours de congés ?",
            ("Dans l'outil RH, onglet Absences ; ton manager valide.", "Dans l'outil RH, et préviens ton équipe."),
        ),
        (
            "Quelqu'un sait quand a lieu la prochaine formation sécurité ?",
            ("La prochaine session est le 12, je t'inscris.", "Tous les premiers mardis du mois, inscription auprès des RH."),
        ),
        (
            "Où trouver l'organigramme à jour ?",
            ("Sur l'intranet, page Qui fait quoi.", "Sur l'intranet, mis à jour chaque mois."),
        ),
    ],
}

REACTIONS: dict[str, list[str]] = {
    "business": ["👍", "🎉", "👏", "🔥", "💪"],
    "practice": ["👍", "🙏", "💡", "👀"],
    "watch": ["👍", "🔖", "💡", "👀"],
    "club": ["👍", "💪", "🏃", "😄", "🎉"],
    "newcomers": ["👋", "👍", "🙂", "🎉"],
}

_SLOT = re.compile(r"\{(\w+)\}")

# French grammar where a template meets a slot's value: "de" + "le syndicat" is "du syndicat",
# "à" + "le camping" is "au camping", "de" + "les" is "des", "de" + "Airflow" is "d'Airflow".
# Only at the joins: the templates' own words are written correctly by hand ("pensez à le lire").
_CONTRACTIONS = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}
_ELIDED = ("de", "que", "je", "ne", "se", "le", "la")  # "d'", "qu'", "j'"… before a vowel
_VOWEL = re.compile(r"[aeiouàâäéèêëîïôöùûüœæ]", re.IGNORECASE)  # not "h": brands and names vary
_LAST_WORD = re.compile(r"(?:^|(?<=[\s'’(«]))(\w+) $")
_SENTENCE_START = re.compile(r"(^|[.!?…] +)([a-zàâäéèêëîïôöùûüœæç])")


def context(rng: random.Random, extra: dict[str, str] | None = None) -> dict[str, str]:
    """One value per slot for a whole conversation (the question and its answers agree)."""
    ctx = {name: rng.choice(values) for name, values in SLOTS.items()}
    ctx["n"] = str(rng.randint(1000, 9999))
    return {**ctx, **(extra or {})}


def _join(before: str, value: str) -> tuple[str, str]:
    """`before` (the template's text up to the slot) and `value`, with the contraction or
    elision French makes where they meet."""
    last = _LAST_WORD.search(before)
    if not last or not value:
        return before, value
    word = last.group(1)
    head, _, rest = value.partition(" ")
    joined = _CONTRACTIONS.get((word.lower(), head))  # lowercase articles only: "à La Rochelle" stays
    if joined and rest:
        joined = joined.capitalize() if word[:1].isupper() else joined
        return before[: last.start(1)], f"{joined} {rest}"
    if word.lower() in _ELIDED and _VOWEL.match(value):
        return before[: last.start(1)], f"{word[:-1]}'{value}"
    return before, value


def compose(template: str, rng: random.Random, ctx: dict[str, str] | None = None) -> str:
    """The template with every `{slot}` replaced by the context's value (or a random pick from
    SLOTS), contracted where French wants it; left in its natural case, not capitalised."""
    ctx = ctx or {}
    text = ""
    pos = 0
    for match in _SLOT.finditer(template):
        name = match.group(1)
        if name in ctx:
            value = ctx[name]
        else:
            value = str(rng.randint(1000, 9999)) if name == "n" else rng.choice(SLOTS[name])
        text, value = _join(text + template[pos : match.start()], value)
        text += value
        pos = match.end()
    text += template[pos:]
    # a template's first word is an ordinary word ("Quelqu'un", "Est-ce"): in its natural case it is
    # lowercase, so that a variant can put it after a lead ("Petite question : quelqu'un…"); a slot's
    # value keeps its own ("la mairie", "HydroNova")
    if template[:1] != "{":
        text = text[:1].lower() + text[1:]
    return text


def capitalise(text: str) -> str:
    """Every sentence starts with a capital: the message's start and after . ! ? … ("{client}
    renouvelle…" -> "La mairie renouvelle…"); after a colon French goes on in lowercase."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def fill(template: str, rng: random.Random, ctx: dict[str, str] | None = None) -> str:
    """Replace every `{slot}` by the context's value, or by a random pick from SLOTS; capitalise."""
    return capitalise(compose(template, rng, ctx))


# What a community has already said: no seeded message repeats verbatim within a community
# (readers notice "the same question three times in one room"). Set per community by `fresh()`.
_used: set[str] | None = None
TRIES = 12
# when a bank is exhausted, a short message still varies the way people do
LEADS = ("Petite question : ", "Bonjour, ", "Question rapide : ", "Re-bonjour, ", "Au fait, ", "Je me demandais : ")
TAILS = (" 🙂", " !", " 👍", " Merci.", " Bonne journée.", " 🙏", " Top.", " Parfait.", " Super.", " À suivre.")


@contextmanager
def fresh() -> Iterator[set[str]]:
    """Within this block, `say`/`ask` avoid repeating a message verbatim."""
    global _used
    before, _used = _used, set()
    try:
        yield _used
    finally:
        _used = before


def _unique(draw: Callable[[], str], rng: random.Random) -> str:
    """A message from `draw` (text in its natural case, see `compose`) that the community has not
    said yet: another draw, else the same words with a lead or a tail."""
    raw = draw()
    text = capitalise(raw)
    if _used is None:
        return text
    for _ in range(TRIES):
        if text not in _used:
            break
        raw = draw()
        text = capitalise(raw)
    base = raw
    while text in _used:
        if base.rstrip().endswith("?"):  # a question stays a question: vary its opening
            varied = rng.choice(LEADS) + base  # "Petite question : quelqu'un…", "Bonjour, HydroNova…"
        else:
            tail = rng.choice(TAILS)
            # "…pensez à le lire !" rather than "…lire. !": an exclamation replaces the full stop
            varied = (base.rstrip().removesuffix(".") if tail == " !" else base.rstrip()) + tail
        text = capitalise(varied)
        base = varied[:1].lower() + varied[1:] if rng.random() < 0.3 else base  # leads are ordinary words
    _used.add(text)
    return text


def say(kind: str, rng: random.Random, ctx: dict[str, str] | None = None) -> str:
    """A random message of one kind of the BANK, filled in (not one the community already said)."""
    return _unique(lambda: compose(rng.choice(BANK[kind]), rng, ctx), rng)


def ask(kind: str, rng: random.Random, ctx: dict[str, str]) -> tuple[str, Callable[[int], str]]:
    """A question of one kind of QA, and its i-th answer (fitting answers first, then "+1"s)."""
    if _used is not None:  # a question the community has not asked yet, when there is one
        fresh_ones = [qa for qa in QA[kind] if fill(qa[0], random.Random(0), ctx) not in _used]
        question, answers = rng.choice(fresh_ones or QA[kind])
    else:
        question, answers = rng.choice(QA[kind])
    pool = list(answers)
    rng.shuffle(pool)

    def answer(i: int) -> str:
        return _unique(lambda: compose(pool[i] if i < len(pool) else rng.choice(BANK["followup"]), rng, ctx), rng)

    return _unique(lambda: compose(question, rng, ctx), rng), answer
